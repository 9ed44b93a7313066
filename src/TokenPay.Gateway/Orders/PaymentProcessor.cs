using Microsoft.Extensions.Options;
using TokenPay.Acquiring;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>Where an order stands after an authorization attempt, with a decline's network advice.</summary>
internal sealed record PaymentResult(string Status, string? ResultCode, string? ResultMsg, string? PaymentTokenId, string? ChallengeId, DeclineAdvice? Advice = null);

/// <summary>
/// Takes a PENDING order through the acquirer and records the outcome: SUCCESS (binding the token when
/// the order asked for one), FAILED with the decline code, or still PENDING behind a 3DS challenge.
/// The API, the 3DS page, the cashier and the expiry sweep all end orders here, so every terminal state
/// is written together with the notifications it owes, in one transaction.
/// </summary>
internal sealed class PaymentProcessor(
    OrderStore orders,
    TokenStore tokens,
    VaultStore cards,
    CardVault vault,
    AcquirerRouter acquirers,
    ICardChangeCheck cardChanges,
    NotificationFactory notifications,
    NotificationSignal dispatcherSignal,
    TimeProvider clock,
    GatewayMetrics metrics,
    IOptions<GatewayOptions> options,
    ILogger<PaymentProcessor> logger)
{
    private readonly TimeSpan _acquirerTimeout = options.Value.Orders.AcquirerTimeout;

    /// <summary>Sends an order (already stored as being sent) to the acquirer and records what it decided.</summary>
    /// <param name="storedBy">For a payment with a stored card: its token (the network transaction id kept with it).</param>
    public async Task<PaymentResult> AuthorizeAsync(OrderRecord order, PlainCard card, bool authenticated, TokenRecord? storedBy, CancellationToken cancellationToken)
    {
        AuthorizationOutcome outcome;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_acquirerTimeout);
            try
            {
                var request = new AuthorizationRequest(order.TradeToken, order.MerchantNo, card, order.AmountMinor, order.Currency, order.Subject,
                    CredentialOf(order, storedBy), authenticated, DateTimeOffset.FromUnixTimeMilliseconds(order.ExpiresAt));
                var asked = clock.GetTimestamp();
                var acquirer = acquirers.NameOf(order.Acquirer, order.MerchantNo);
                using var activity = GatewayTracing.Source.StartActivity("acquirer.authorize", System.Diagnostics.ActivityKind.Client);
                activity?.SetTag("tokenpay.acquirer", acquirer);
                activity?.SetTag(GatewayTracing.OutTradeNo, order.OutTradeNo);
                outcome = await AcquirerOf(order).AuthorizeAsync(request, timeout.Token);
                activity?.SetTag("tokenpay.decision", outcome.Decision.ToString());
                metrics.AcquirerDecided(acquirer, outcome.Decision.ToString(), clock.GetElapsedTime(asked));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The acquirer may still decide: the order stays PENDING and recovery asks it later.
                logger.AcquirerTimedOut(order.TradeToken);
                return new PaymentResult(OrderStatuses.Pending, null, null, order.PaymentTokenId, null);
            }
        }

        switch (outcome.Decision)
        {
            case AuthorizationDecision.ChallengeRequired:
                await orders.SetChallengeAsync(order.Id, outcome.ChallengeId!, cancellationToken);
                return new PaymentResult(OrderStatuses.Pending, null, null, order.PaymentTokenId, outcome.ChallengeId);

            case AuthorizationDecision.Pending:
                await orders.MarkAcquirerPendingAsync(order.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
                return new PaymentResult(OrderStatuses.Pending, null, null, order.PaymentTokenId, null);

            default:
                var result = await ApplyAsync(order, outcome, card, cancellationToken);
                if (outcome.Advice?.MerchantAdviceCode is NetworkAdvice.NewAccountInformation or NetworkAdvice.StopRecurring && order.PaymentTokenId is { } tokenId)
                {
                    // The issuer says the stored card changed: learn how now, so the merchant's next attempt uses the news.
                    await cardChanges.CheckTokenAsync(order.MerchantNo, tokenId, cancellationToken);
                }

                return result;
        }
    }

    /// <summary>The stored-credential indicators of an order (docs/stored-credentials.md).</summary>
    private static StoredCredential CredentialOf(OrderRecord order, TokenRecord? storedBy) =>
        order.MerchantInitiated ? new(Initiator.Merchant, CredentialUse.Subsequent, StoredCredential.UsageOf(order.MitType), storedBy?.NetworkTransactionId, storedBy?.LegacyCredential ?? false)
        : order.TokenForFutureUse ? new(Initiator.Customer, CredentialUse.First, StoredCredential.UsageOf(order.MitType))
        : order.PaymentTokenId is not null ? new(Initiator.Customer, CredentialUse.Subsequent, StoredCredential.UsageOf(order.MitType), storedBy?.NetworkTransactionId, storedBy?.LegacyCredential ?? false)
        : StoredCredential.OneOff;

    private IAcquirer AcquirerOf(OrderRecord order) => acquirers.Of(order.Acquirer, order.MerchantNo);

    /// <summary>
    /// Settles an order that was sent to the acquirer but not finished here (a crash, a timeout, or an acquirer
    /// still deciding) by asking the acquirer: its decision is applied exactly as the original answer would have
    /// been; an order the acquirer never saw is closed; one it is still deciding is closed only when
    /// <paramref name="closeIfUndecided"/> (the order expired), else asked again later.
    /// </summary>
    public async Task<PaymentResult> SettleWithAcquirerAsync(OrderRecord order, bool closeIfUndecided, CancellationToken cancellationToken)
    {
        var outcome = await AcquirerOf(order).InquireAsync(order.TradeToken, cancellationToken);
        switch (outcome?.Decision)
        {
            case null:
                return await CompleteAsync(order, OrderStatuses.Closed, ResultCodes.OrderClosed, "The order was closed: the payment never reached the acquirer.", null, null, cancellationToken);

            case AuthorizationDecision.Pending or AuthorizationDecision.ChallengeRequired when closeIfUndecided:
                return await CloseExpiredAsync(order, cancellationToken);

            case AuthorizationDecision.Pending or AuthorizationDecision.ChallengeRequired:
                await orders.MarkAcquirerPendingAsync(order.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
                return new PaymentResult(OrderStatuses.Pending, null, null, order.PaymentTokenId, null);

            default:
                // A binding needs the card's fingerprint and expiry, as the original answer had them.
                var card = order.CardId is { } cardId && await cards.GetCardAsync(cardId, cancellationToken) is { } stored ? vault.Reveal(stored) : null;
                return await ApplyAsync(order, outcome, card, cancellationToken);
        }
    }

    private Task<PaymentResult> ApplyAsync(OrderRecord order, AuthorizationOutcome outcome, PlainCard? card, CancellationToken cancellationToken)
    {
        if (outcome.Decision == AuthorizationDecision.Approved)
        {
            return CompleteAsync(order, OrderStatuses.Success, null, null, outcome, card, cancellationToken);
        }

        var code = outcome.Code ?? ResultCodes.PaymentFailed;
        metrics.Declined(code, outcome.Advice?.Category);
        return CompleteAsync(order, OrderStatuses.Failed, code, outcome.Message, outcome, card, cancellationToken);
    }

    /// <summary>Ends a PENDING order without the acquirer (a failed 3DS challenge).</summary>
    public Task<PaymentResult> FailAsync(OrderRecord order, string code, string message, CancellationToken cancellationToken) =>
        CompleteAsync(order, OrderStatuses.Failed, code, message, null, null, cancellationToken);

    /// <summary>Closes a PENDING order whose expiry has passed.</summary>
    public Task<PaymentResult> CloseExpiredAsync(OrderRecord order, CancellationToken cancellationToken) =>
        CompleteAsync(order, OrderStatuses.Closed, ResultCodes.OrderClosed, "The order expired before the payment completed.", null, null, cancellationToken);

    private async Task<PaymentResult> CompleteAsync(OrderRecord order, string status, string? code, string? message, AuthorizationOutcome? decided, PlainCard? card, CancellationToken cancellationToken)
    {
        var completedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var bind = status == OrderStatuses.Success && card is not null ? Binding(order, card, decided?.NetworkTransactionId) : null;
        while (true)
        {
            var completion = await CompletionAsync(order, status, code, message, decided, completedAt, bind, bind is null ? null : card, cancellationToken);
            switch (await orders.CompleteAsync(completion, cancellationToken))
            {
                case CompletionOutcome.Applied:
                    if (completion.Notifications.Count > 0)
                    {
                        dispatcherSignal.Notify();
                    }

                    return new PaymentResult(status, code, message, completion.PaymentTokenId, null, decided?.Advice);

                case CompletionOutcome.TokenMoved when await orders.FindAsync(order.MerchantNo, order.OutTradeNo, cancellationToken) is { Status: OrderStatuses.Pending } pending:
                    // Another binding of the same card committed between the read and the write: build again from what stands now.
                    order = pending;
                    continue;

                default:
                    // Another path (expiry) finished the order first; report what it is now.
                    var current = await orders.FindAsync(order.MerchantNo, order.OutTradeNo, cancellationToken);
                    return new PaymentResult(current!.Status, current.ResultCode, current.ResultMsg, current.PaymentTokenId, null, OrderViews.AdviceOf(current));
            }
        }
    }

    /// <summary>
    /// The order's move to its terminal state with the notifications it owes. Their bodies are built here, before the
    /// write, so they name the token the order is about to be linked to: the user's token for this card when the
    /// binding will refresh one, else the new one. The store writes nothing if the transaction finds otherwise.
    /// </summary>
    private async Task<OrderCompletion> CompletionAsync(
        OrderRecord order, string status, string? code, string? message, AuthorizationOutcome? decided, long completedAt, NewToken? bind, PlainCard? boundCard, CancellationToken cancellationToken)
    {
        var ended = order with
        {
            Status = status,
            ResultCode = code,
            ResultMsg = message,
            CompletedAt = completedAt,
            AcquirerReference = decided?.Reference,
            NetworkTransactionId = decided?.NetworkTransactionId,
            AdviceCategory = decided?.Advice?.Category,
            MerchantAdviceCode = decided?.Advice?.MerchantAdviceCode,
            PaymentTokenId = bind is null ? order.PaymentTokenId : await tokens.BoundTokenIdAsync(bind, cancellationToken),
        };
        return new OrderCompletion
        {
            OrderId = order.Id,
            Status = status,
            ResultCode = code,
            ResultMsg = message,
            AcquirerReference = ended.AcquirerReference,
            NetworkTransactionId = ended.NetworkTransactionId,
            AdviceCategory = ended.AdviceCategory,
            MerchantAdviceCode = ended.MerchantAdviceCode,
            CompletedAt = completedAt,
            Bind = bind,
            PaymentTokenId = ended.PaymentTokenId,
            Notifications = notifications.ForOrder(ended, boundCard),
        };
    }

    private NewToken? Binding(OrderRecord order, PlainCard card, string? networkTransactionId)
    {
        if (!order.TokenForFutureUse || order.CardId is not { } cardId)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        return new NewToken(
            TradeIds.PaymentTokenId(now),
            order.MerchantNo,
            order.UserId,
            cardId,
            vault.Fingerprint(card.Pan),
            order.MitType,
            card.ValidUntil.ToUnixTimeMilliseconds(),
            now.ToUnixTimeMilliseconds(),
            order.Country,
            networkTransactionId);
    }
}
