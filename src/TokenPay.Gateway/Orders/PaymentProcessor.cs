using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>Where an order stands after an authorization attempt.</summary>
internal sealed record PaymentResult(string Status, string? ResultCode, string? ResultMsg, string? PaymentTokenId, string? ChallengeId);

/// <summary>
/// Takes a PENDING order through the acquirer and records the outcome: SUCCESS (binding the token when
/// the order asked for one), FAILED with the decline code, or still PENDING behind a 3DS challenge.
/// The API, the 3DS page and the cashier all finish payments here.
/// </summary>
internal sealed class PaymentProcessor(IGatewayStore store, CardVault vault, IAcquirer acquirer, TimeProvider clock)
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
                return await CompleteAsync(order, OrderStatuses.Success, null, null, outcome.Reference, Binding(order, card), cancellationToken);

            default:
                return await CompleteAsync(order, OrderStatuses.Failed, outcome.Code ?? ResultCodes.PaymentFailed, outcome.Message, outcome.Reference, null, cancellationToken);
        }
    }

    /// <summary>Ends a PENDING order without the acquirer (a failed 3DS challenge).</summary>
    public Task<PaymentResult> FailAsync(OrderRecord order, string code, string message, CancellationToken cancellationToken) =>
        CompleteAsync(order, OrderStatuses.Failed, code, message, null, null, cancellationToken);

    private async Task<PaymentResult> CompleteAsync(OrderRecord order, string status, string? code, string? message, string? reference, NewToken? bind, CancellationToken cancellationToken)
    {
        var completion = new OrderCompletion
        {
            OrderId = order.Id,
            Status = status,
            ResultCode = code,
            ResultMsg = message,
            AcquirerReference = reference,
            CompletedAt = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            Bind = bind,
        };
        var result = await store.CompleteOrderAsync(completion, cancellationToken);
        if (result.Applied)
        {
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
