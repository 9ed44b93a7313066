using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tokens;

/// <summary>
/// Ends the tokens whose card has expired, each at its expiry on the injected clock: each becomes Expired with
/// its TOKENIZATION notification queued in the same transaction (to merchants that take them).
/// </summary>
internal sealed class TokenExpiry(TokenStore tokens, OrderStore orders, NotificationFactory notifications, NotificationSignal dispatcherSignal, TimeProvider clock)
    : IScheduledWork
{
    private const int BatchSize = 200;

    public string Name => "gateway token expiry";

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        await tokens.NextExpiryAsync(cancellationToken) is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;

    public Task<int> RunDueAsync(CancellationToken cancellationToken) => ExpireDueAsync(cancellationToken);

    /// <summary>Expires every token due by now; returns how many.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        IReadOnlyList<TokenRecord> due;
        do
        {
            var at = clock.GetUtcNow();
            due = await tokens.FindExpiredAsync(at.ToUnixTimeMilliseconds(), BatchSize, cancellationToken);
            foreach (var token in due)
            {
                var binding = await orders.FindBindingAsync(token.MerchantNo, token.PaymentTokenId, cancellationToken);
                var notice = notifications.ForTokenChange(binding, token, TokenStatuses.Expired, null, token.Card, at);
                if (await tokens.ExpireAsync(token, at.ToUnixTimeMilliseconds(), notice, cancellationToken))
                {
                    expired++;
                }
            }
        }
        while (due.Count == BatchSize);

        if (expired > 0)
        {
            dispatcherSignal.Notify();
        }

        return expired;
    }
}
