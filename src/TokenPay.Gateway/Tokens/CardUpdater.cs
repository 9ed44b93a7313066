using Microsoft.Extensions.Options;
using TokenPay.Acquiring;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Tokens;

/// <summary>
/// The account updater (docs/stored-credentials.md): asks each token's acquirer what the issuer changed about
/// the stored card, at most once per <c>Gateway:Acquirers:AccountUpdaterInterval</c> (and at once after a
/// decline saying the card changed), and puts the news behind the same <c>paymentTokenID</c>: a new expiry or
/// number is vaulted and the merchant keeps its token; a closed card ends the token. Each change sends a
/// TOKENIZATION notification saying what changed. Scheduled work of its own: due when the longest-unchecked token is.
/// </summary>
internal sealed class CardUpdater(
    TokenStore tokens,
    OrderStore orders,
    CardVault vault,
    AcquirerRouter acquirers,
    NotificationFactory notifications,
    NotificationSignal dispatcherSignal,
    TimeProvider clock,
    IOptions<GatewayOptions> options,
    ILogger<CardUpdater> logger) : IScheduledWork, ICardChangeCheck
{
    private const int BatchSize = 200;

    /// <summary>Its runner ticks every few seconds; looking for due tokens once a minute is plenty for a daily check.</summary>
    private static readonly TimeSpan LookEvery = TimeSpan.FromMinutes(1);

    private long _nextLookAt;

    public string Name => "gateway account updater";

    /// <summary>When the longest-unchecked token falls due (a moment after its interval, as the check looks), but no sooner than the next look.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.Acquirers.AccountUpdaterInterval;
        if (interval <= TimeSpan.Zero || await tokens.OldestUpdateCheckAsync(cancellationToken) is not { } oldest)
        {
            return null;
        }

        var due = oldest + (long)interval.TotalMilliseconds + 1;
        return DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(due, Interlocked.Read(ref _nextLookAt)));
    }

    public Task<int> RunDueAsync(CancellationToken cancellationToken) => CheckDueAsync(cancellationToken);

    /// <summary>Checks the tokens whose last check is older than the interval; returns how many changed.</summary>
    public async Task<int> CheckDueAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.Acquirers.AccountUpdaterInterval;
        var start = clock.GetUtcNow();
        if (interval <= TimeSpan.Zero || start.ToUnixTimeMilliseconds() < Interlocked.Read(ref _nextLookAt))
        {
            return 0;
        }

        Interlocked.Exchange(ref _nextLookAt, (start + LookEvery).ToUnixTimeMilliseconds());

        var changed = 0;
        IReadOnlyList<TokenRecord> due;
        do
        {
            var now = clock.GetUtcNow();
            due = await tokens.FindDueForUpdateCheckAsync((now - interval).ToUnixTimeMilliseconds(), BatchSize, cancellationToken);
            if (due.Count == 0)
            {
                break;
            }

            changed += await CheckAsync(due, cancellationToken);
            await tokens.MarkCheckedAsync([.. due.Select(t => t.Id)], now.ToUnixTimeMilliseconds(), cancellationToken);
        }
        while (due.Count == BatchSize);

        return changed;
    }

    /// <summary>Checks one token now (after its issuer declined with MAC 01 or 21).</summary>
    public async Task CheckTokenAsync(string merchantNo, string paymentTokenId, CancellationToken cancellationToken)
    {
        if (await tokens.FindAsync(merchantNo, paymentTokenId, cancellationToken) is { Status: Protocol.TokenStatuses.Activated } token)
        {
            await CheckAsync([token], cancellationToken);
        }
    }

    private async Task<int> CheckAsync(IReadOnlyList<TokenRecord> batch, CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var byAcquirer in batch.GroupBy(t => acquirers.NameFor(t.MerchantNo)))
        {
            var onFile = byAcquirer.Select(t => new CardOnFile(t.PaymentTokenId, t.MerchantNo, vault.Reveal(t.Card))).ToList();
            var updates = await acquirers.Get(byAcquirer.Key).FindCardUpdatesAsync(onFile, cancellationToken);
            foreach (var update in updates)
            {
                if (byAcquirer.FirstOrDefault(t => t.PaymentTokenId == update.Reference) is { } token && await ApplyAsync(token, update, cancellationToken))
                {
                    changed++;
                }
            }
        }

        return changed;
    }

    private async Task<bool> ApplyAsync(TokenRecord token, CardUpdate update, CancellationToken cancellationToken)
    {
        var change = update.Change switch
        {
            CardChange.NewExpiry => CardUpdates.NewExpiry,
            CardChange.NewNumber => CardUpdates.NewNumber,
            _ => CardUpdates.Closed,
        };
        var newCard = update.Card is { } card ? vault.Protect(card) : null;
        var now = clock.GetUtcNow();
        var binding = await orders.FindBindingAsync(token.MerchantNo, token.PaymentTokenId, cancellationToken);
        var status = change == CardUpdates.Closed ? Protocol.TokenStatuses.Deleted : token.Status;
        var notice = notifications.ForTokenChange(binding, token, status, change, newCard ?? token.Card, now);
        if (!await tokens.ApplyCardUpdateAsync(token, newCard, change, now.ToUnixTimeMilliseconds(), notice, cancellationToken))
        {
            return false;
        }

        logger.CardUpdated(token.PaymentTokenId, change, (newCard ?? token.Card).Masked);
        if (notice.Draft is not null)
        {
            dispatcherSignal.Notify();
        }

        return true;
    }
}
