using System.Security.Cryptography;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Acquiring;

/// <summary>
/// The sandbox acquirer (docs/protocol.md, "Sandbox"): outcomes by <c>subject</c> (PayerMax's habit) and by
/// test card number. Like a real acquirer it remembers each decision durably before answering, so a
/// gateway that crashed after the decision can ask for it by trade token.
/// </summary>
internal sealed class AcquirerSimulator(AcquirerSimulatorStore decisions, TimeProvider clock) : IAcquirer
{
    public async ValueTask<AuthorizationOutcome> AuthorizeAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        var outcome = Decide(request);
        if (outcome.Decision != AuthorizationDecision.ChallengeRequired)
        {
            // A challenge moves no money; every other decision is on disk before the gateway hears it.
            await decisions.RecordDecisionAsync(request.TradeToken, outcome, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        }

        return outcome;
    }

    public async ValueTask<AuthorizationOutcome?> InquireAsync(string tradeToken, CancellationToken cancellationToken) =>
        await decisions.FindDecisionAsync(tradeToken, cancellationToken);

    /// <summary>How long the sandbox takes to settle a refund it accepted.</summary>
    public static readonly TimeSpan RefundSettleAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long a refund with comments REFUND_PENDING stays pending.</summary>
    public static readonly TimeSpan RefundPendingFor = TimeSpan.FromHours(24);

    /// <summary>
    /// Refund outcomes by <c>comments</c> (docs/protocol.md, "Sandbox"): REFUND_REJECTED fails at once,
    /// REFUND_FAILED fails after <see cref="RefundSettleAfter"/>, REFUND_PENDING succeeds after
    /// <see cref="RefundPendingFor"/>, anything else succeeds after <see cref="RefundSettleAfter"/>.
    /// </summary>
    public async ValueTask<RefundOutcome> RefundAsync(AcquirerRefundRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (final, message, settlesAt) = request.Comments?.Trim().ToUpperInvariant() switch
        {
            "REFUND_REJECTED" => (RefundDecision.Failed, "Refused by the sandbox acquirer (comments REFUND_REJECTED).", now),
            "REFUND_FAILED" => (RefundDecision.Failed, "Failed at the sandbox acquirer (comments REFUND_FAILED).", now + RefundSettleAfter),
            "REFUND_PENDING" => (RefundDecision.Refunded, (string?)null, now + RefundPendingFor),
            _ => (RefundDecision.Refunded, null, now + RefundSettleAfter),
        };
        await decisions.RecordRefundAsync(request.RefundTradeNo, final, message, now.ToUnixTimeMilliseconds(), settlesAt.ToUnixTimeMilliseconds(), cancellationToken);
        return Standing(final, message, settlesAt, now);
    }

    public async ValueTask<RefundOutcome?> InquireRefundAsync(string refundTradeNo, CancellationToken cancellationToken) =>
        await decisions.FindRefundAsync(refundTradeNo, cancellationToken) is { } decided
            ? Standing(decided.Final, decided.Message, DateTimeOffset.FromUnixTimeMilliseconds(decided.SettlesAt), clock.GetUtcNow())
            : null;

    private static RefundOutcome Standing(RefundDecision final, string? message, DateTimeOffset settlesAt, DateTimeOffset now) =>
        settlesAt > now ? new RefundOutcome(RefundDecision.Pending, CheckAgainAt: settlesAt) : new RefundOutcome(final, message);

    private AuthorizationOutcome Decide(AuthorizationRequest request)
    {
        var card = request.Card;
        switch (request.Subject)
        {
            case "FAILED":
                return AuthorizationOutcome.Declined(ResultCodes.PaymentFailed, "Declined by the sandbox (subject FAILED).");
            case "PENDING":
                return AuthorizationOutcome.StillPending;
            case "3DS" when request.MerchantInitiated:
                return AuthorizationOutcome.Declined(ResultCodes.AuthenticateFailed, "Authentication required, but a merchant-initiated payment cannot be challenged.");
            case "3DS" when !request.Authenticated:
                return AuthorizationOutcome.Challenge;
        }

        if (!Cards.IsValidPan(card.Pan))
        {
            return AuthorizationOutcome.Declined(ResultCodes.CardInvalid, "The card number is not valid.");
        }

        if (clock.GetUtcNow() >= card.ValidUntil)
        {
            return AuthorizationOutcome.Declined(ResultCodes.CardExpireDateInvalid, "The card has expired.");
        }

        return card.Pan switch
        {
            "4000000000003220" when !request.MerchantInitiated && !request.Authenticated => AuthorizationOutcome.Challenge,
            "4000000000009995" => AuthorizationOutcome.Declined(ResultCodes.BalanceInsufficient, "Insufficient funds."),
            "4000000000000002" => AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected, "The issuer rejected the payment."),
            "4000000000000069" => AuthorizationOutcome.Declined(ResultCodes.CardExpireDateInvalid, "The issuer reports an invalid expiry date."),
            "4000000000000127" => AuthorizationOutcome.Declined(ResultCodes.CvvInvalid, "The CVV is incorrect."),
            "4000000000000341" when request.MerchantInitiated => AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected, "The issuer declines merchant-initiated payments on this card."),
            _ => AuthorizationOutcome.Approved("SIM" + RandomNumberGenerator.GetHexString(16)),
        };
    }
}
