using TokenPay.Gateway.Vault;

namespace TokenPay.Gateway.Acquiring;

/// <summary>
/// Where a card payment is decided. The built-in simulator implements it; a connector to a real acquirer
/// plugs in at the same place (register it as the <see cref="IAcquirer"/> singleton).
/// </summary>
public interface IAcquirer
{
    ValueTask<AuthorizationOutcome> AuthorizeAsync(AuthorizationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// What the acquirer decided for the gateway's trade token: the final outcome, <see cref="AuthorizationDecision.Pending"/>
    /// while it is still deciding, or null when it never saw an authorization for it. Crash recovery and
    /// expiry ask this before an order is closed, so an order whose money moved is never closed.
    /// </summary>
    ValueTask<AuthorizationOutcome?> InquireAsync(string tradeToken, CancellationToken cancellationToken);

    /// <summary>Asks for money back on an authorized payment. The answer is final (refunded, failed) or pending.</summary>
    ValueTask<RefundOutcome> RefundAsync(AcquirerRefundRequest request, CancellationToken cancellationToken);

    /// <summary>Where a refund stands now; null when the acquirer never received it.</summary>
    ValueTask<RefundOutcome?> InquireRefundAsync(string refundTradeNo, CancellationToken cancellationToken);
}

/// <param name="RefundTradeNo">The gateway's refund number, for the acquirer's reference.</param>
/// <param name="TradeToken">The refunded payment's trade token.</param>
/// <param name="AcquirerReference">The acquirer's reference of the refunded payment.</param>
public sealed record AcquirerRefundRequest(string RefundTradeNo, string TradeToken, string? AcquirerReference, long AmountMinor, string Currency, string? Comments);

public enum RefundDecision
{
    Refunded,
    Failed,
    Pending,
}

/// <param name="CheckAgainAt">For a pending refund: when the acquirer expects to know more (null: ask at the usual pace).</param>
public sealed record RefundOutcome(RefundDecision Decision, string? Message = null, DateTimeOffset? CheckAgainAt = null);

/// <param name="TradeToken">The gateway's order id, for the acquirer's reference.</param>
/// <param name="Card">The card in the clear (CVV only on a customer-present first use).</param>
/// <param name="AmountMinor">Whole minor units; 0 asks only to verify the card for a binding.</param>
/// <param name="MerchantInitiated">True for MIT: no customer present, no challenge possible.</param>
/// <param name="Authenticated">True once the customer passed a 3DS challenge for this order.</param>
public sealed record AuthorizationRequest(
    string TradeToken,
    PlainCard Card,
    long AmountMinor,
    string Currency,
    string Subject,
    bool MerchantInitiated,
    bool Authenticated);

public enum AuthorizationDecision
{
    Approved,
    Declined,
    ChallengeRequired,
    Pending,
}

/// <param name="Code">The docs/protocol.md 4 card outcome code of a decline.</param>
public sealed record AuthorizationOutcome(AuthorizationDecision Decision, string? Code = null, string? Message = null, string? Reference = null)
{
    public static AuthorizationOutcome Approved(string reference) => new(AuthorizationDecision.Approved, Reference: reference);

    public static AuthorizationOutcome Declined(string code, string message) => new(AuthorizationDecision.Declined, code, message);

    public static readonly AuthorizationOutcome Challenge = new(AuthorizationDecision.ChallengeRequired);

    public static readonly AuthorizationOutcome StillPending = new(AuthorizationDecision.Pending);
}
