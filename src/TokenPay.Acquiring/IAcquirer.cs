namespace TokenPay.Acquiring;

/// <summary>
/// Where card payments are decided. The built-in simulator (TokenPay.Acquiring.Simulator) implements it; a
/// connector to a real acquirer is another implementation, registered under a name and chosen per merchant by
/// <c>Gateway:Acquirers</c> (docs/stored-credentials.md).
/// </summary>
public interface IAcquirer
{
    /// <summary>Authorizes a payment, or only verifies the card when <see cref="AuthorizationRequest.AmountMinor"/> is 0.</summary>
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

    /// <summary>
    /// The account updater: what the issuers changed about these stored cards (a new expiry, a new number, or
    /// closed). Cards without news are left out of the answer.
    /// </summary>
    ValueTask<IReadOnlyList<CardUpdate>> FindCardUpdatesAsync(IReadOnlyList<CardOnFile> cards, CancellationToken cancellationToken);

    /// <summary>
    /// What the card networks reported about disputes that the gateway has not acknowledged yet, oldest first
    /// (docs/disputes.md). Each report carries the whole case as it stands after the event, so one report alone
    /// is enough to record it. The same report comes again until <see cref="AcknowledgeDisputeReportsAsync"/>.
    /// An acquirer without a dispute feed reports none.
    /// </summary>
    ValueTask<DisputeFeed> FindDisputeReportsAsync(int max, CancellationToken cancellationToken) => ValueTask.FromResult(DisputeFeed.Empty);

    /// <summary>Confirms that the gateway recorded these reports durably: they are not sent again.</summary>
    ValueTask AcknowledgeDisputeReportsAsync(IReadOnlyList<string> reportIds, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Passes the merchant's answer to a dispute on to the issuer. Safe to repeat: the same case answered again
    /// is taken once. False when the acquirer no longer takes an answer for the case (ruled, cancelled or past its deadline).
    /// </summary>
    ValueTask<bool> SubmitDisputeEvidenceAsync(DisputeEvidence evidence, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}

/// <param name="Reports">Unacknowledged reports, oldest first.</param>
/// <param name="NextReportAt">When the acquirer expects its next report (a dispute it will raise or rule), if it knows.</param>
public sealed record DisputeFeed(IReadOnlyList<DisputeReport> Reports, DateTimeOffset? NextReportAt)
{
    public static readonly DisputeFeed Empty = new([], null);
}

/// <summary>A dispute's stage as the network reports it.</summary>
public enum DisputeStage
{
    /// <summary>Raised: the amount is frozen; the merchant may answer until <see cref="DisputeReport.ReplyBy"/> ends.</summary>
    Raised,
    /// <summary>The issuer ruled (<see cref="DisputeReport.MerchantWon"/>).</summary>
    Ruled,
    /// <summary>Closed after the ruling.</summary>
    Closed,
    /// <summary>The cardholder withdrew the dispute.</summary>
    Cancelled,
}

/// <param name="ReportId">Unique per report: the acknowledgement names it.</param>
/// <param name="CaseId">The acquirer's id of the case, the same in every report on it.</param>
/// <param name="TradeToken">The gateway's trade token of the disputed payment.</param>
/// <param name="Stage">What happened.</param>
/// <param name="ReasonCategory">The reason's family (TokenPay.Protocol.Models.DisputeReasons).</param>
/// <param name="AmountMinor">What the cardholder disputes, in minor units (at most what the payment took).</param>
/// <param name="FeeMinor">The network's fee for the case, kept when the merchant loses.</param>
/// <param name="RaisedAt">When the case was raised.</param>
/// <param name="ReplyBy">The last day (UTC) the merchant may answer.</param>
/// <param name="HappenedAt">When this report's stage was reached.</param>
/// <param name="MerchantWon">For <see cref="DisputeStage.Ruled"/> and <see cref="DisputeStage.Closed"/>: how the issuer ruled.</param>
public sealed record DisputeReport(
    string ReportId,
    string CaseId,
    string TradeToken,
    DisputeStage Stage,
    string ReasonCategory,
    string ReasonCode,
    string ReasonMessage,
    long AmountMinor,
    long FeeMinor,
    string Currency,
    DateTimeOffset RaisedAt,
    DateOnly ReplyBy,
    DateTimeOffset HappenedAt,
    bool? MerchantWon);

/// <param name="CaseId">The acquirer's id of the case.</param>
/// <param name="Text">The merchant's answer in words.</param>
/// <param name="FileUrls">Links to the evidence files.</param>
/// <param name="AnsweredAt">When the merchant answered (the gateway recorded it).</param>
public sealed record DisputeEvidence(string CaseId, string Text, IReadOnlyList<string> FileUrls, DateTimeOffset AnsweredAt);

/// <summary>
/// The gateway's side of an authentication the acquirer runs on its own page (3-D Secure): the acquirer
/// reports the cardholder's result, the gateway authorizes (or fails) the order and says where the browser goes.
/// </summary>
public interface IAuthenticationCallback
{
    ValueTask<AuthenticationHandled> AuthenticatedAsync(string tradeToken, bool passed, CancellationToken cancellationToken);
}

/// <param name="Accepted">False when the order had already ended or expired: nothing was authorized.</param>
/// <param name="ReturnUrl">The merchant's frontCallbackUrl, when it can be redirected to.</param>
/// <param name="Succeeded">Whether the payment succeeded (for the page shown when there is no return URL).</param>
public sealed record AuthenticationHandled(bool Accepted, string? ReturnUrl, bool Succeeded);

/// <param name="TradeToken">The gateway's order id, for the acquirer's reference (and its inquiry).</param>
/// <param name="MerchantNo">The merchant the payment is for: retry limits and stop-recurring advice are per card and merchant.</param>
/// <param name="Card">The card in the clear (CVV only on a customer-present first use).</param>
/// <param name="AmountMinor">Whole minor units; 0 asks only to verify the card for a binding.</param>
/// <param name="Credential">How the card is stored and who initiates (the network's stored-credential indicators).</param>
/// <param name="Authenticated">True once the customer passed a 3DS challenge for this order.</param>
/// <param name="ExpiresAt">When the gateway closes the order: a challenge cannot outlive it.</param>
public sealed record AuthorizationRequest(
    string TradeToken,
    string MerchantNo,
    PlainCard Card,
    long AmountMinor,
    string Currency,
    string Subject,
    StoredCredential Credential,
    bool Authenticated,
    DateTimeOffset ExpiresAt)
{
    public bool MerchantInitiated => Credential.Initiator == Initiator.Merchant;
}

public enum AuthorizationDecision
{
    Approved,
    Declined,
    ChallengeRequired,
    Pending,
}

/// <param name="Code">The docs/protocol.md 4 card outcome code of a decline.</param>
/// <param name="Reference">The acquirer's reference of the payment.</param>
/// <param name="NetworkTransactionId">The network's id of an approved customer-initiated transaction that stored the card; later MITs carry it.</param>
/// <param name="Advice">The network's advice on a decline: whether and when to try again.</param>
/// <param name="ChallengeId">The acquirer's challenge, shown on its page at <c>/threeds/{ChallengeId}</c>.</param>
public sealed record AuthorizationOutcome(
    AuthorizationDecision Decision,
    string? Code = null,
    string? Message = null,
    string? Reference = null,
    string? NetworkTransactionId = null,
    DeclineAdvice? Advice = null,
    string? ChallengeId = null)
{
    public static AuthorizationOutcome Approved(string reference, string? networkTransactionId = null) =>
        new(AuthorizationDecision.Approved, Reference: reference, NetworkTransactionId: networkTransactionId);

    public static AuthorizationOutcome Declined(string code, string message, DeclineAdvice? advice = null) =>
        new(AuthorizationDecision.Declined, code, message, Advice: advice);

    public static AuthorizationOutcome Challenge(string challengeId) => new(AuthorizationDecision.ChallengeRequired, ChallengeId: challengeId);

    public static readonly AuthorizationOutcome StillPending = new(AuthorizationDecision.Pending);
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
