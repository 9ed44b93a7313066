using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>Where an order stands after an authorization attempt.</summary>
internal sealed record PaymentResult(string Status, string? ResultCode, string? ResultMsg, string? PaymentTokenId, string? ChallengeId);

/// <summary>
/// Takes a PENDING order through the acquirer and records the outcome: SUCCESS (binding the token when
/// the order asked for one), FAILED with the decline code, or still PENDING behind a 3DS challenge.
/// The API, the 3DS page, the cashier and the expiry sweep all end orders here, so every terminal state
/// is written together with the notifications it owes, in one transaction.
/// </summary>
internal sealed class PaymentProcessor(
    IGatewayStore store,
    CardVault vault,
    IAcquirer acquirer,
    NotificationFactory notifications,
    NotificationSignal dispatcherSignal,
    TimeProvider clock)
{
    public async Task<PaymentResult> AuthorizeAsync(OrderRecord order, PlainCard card, bool authenticated, CancellationToken cancellationToken)
    {
        var outcome = await acquirer.AuthorizeAsync(
            new AuthorizationRequest(order.TradeToken, card, order.AmountMinor, order.Currency, order.Subject, order.MerchantInitiated, authenticated),
            cancellationToken);

        switch (outcome.Decision)
        {
            case AuthorizationDecision.ChallengeRequired:
                var challengeId = TradeIds.Secret();
                await store.SetChallengeAsync(order.Id, challengeId, cancellationToken);
                return new PaymentResult(OrderStatuses.Pending, null, null, order.PaymentTokenId, challengeId);

            case AuthorizationDecision.Pending:
                return new PaymentResult(OrderStatuses.Pending, null, null, order.PaymentTokenId, null);

            case AuthorizationDecision.Approved:
                return await CompleteAsync(order, OrderStatuses.Success, null, null, outcome.Reference, card, cancellationToken);

            default:
                return await CompleteAsync(order, OrderStatuses.Failed, outcome.Code ?? ResultCodes.PaymentFailed, outcome.Message, outcome.Reference, card, cancellationToken);
        }
    }

    /// <summary>Ends a PENDING order without the acquirer (a failed 3DS challenge).</summary>
    public Task<PaymentResult> FailAsync(OrderRecord order, string code, string message, CancellationToken cancellationToken) =>
        CompleteAsync(order, OrderStatuses.Failed, code, message, null, null, cancellationToken);

    /// <summary>Closes a PENDING order whose expiry has passed.</summary>
    public Task<PaymentResult> CloseExpiredAsync(OrderRecord order, CancellationToken cancellationToken) =>
        CompleteAsync(order, OrderStatuses.Closed, ResultCodes.OrderClosed, "The order expired before the payment completed.", null, null, cancellationToken);

    private async Task<PaymentResult> CompleteAsync(OrderRecord order, string status, string? code, string? message, string? reference, PlainCard? card, CancellationToken cancellationToken)
    {
        var completedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var bind = status == OrderStatuses.Success && card is not null ? Binding(order, card) : null;
        var ended = order with
        {
            Status = status,
            ResultCode = code,
            ResultMsg = message,
            CompletedAt = completedAt,
            AcquirerReference = reference,
        };
        var completion = new OrderCompletion
        {
            OrderId = order.Id,
            Status = status,
            ResultCode = code,
            ResultMsg = message,
            AcquirerReference = reference,
            CompletedAt = completedAt,
            Bind = bind,
            Notifications = notifications.For(ended, bind is null ? null : card),
        };
        var result = await store.CompleteOrderAsync(completion, cancellationToken);
        if (result.Applied)
        {
            if (completion.Notifications.Count > 0)
            {
                dispatcherSignal.Notify();
            }

            return new PaymentResult(status, code, message, result.PaymentTokenId, null);
        }

        // Another path (expiry) finished the order first; report what it is now.
        var current = await store.FindOrderAsync(order.MerchantNo, order.OutTradeNo, cancellationToken);
        return new PaymentResult(current!.Status, current.ResultCode, current.ResultMsg, current.PaymentTokenId, null);
    }

    private NewToken? Binding(OrderRecord order, PlainCard card)
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
            now.ToUnixTimeMilliseconds());
    }
}
