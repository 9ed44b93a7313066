using TokenPay.Merchant.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Disputes;

/// <summary>
/// A dispute case as the API, the command line and the operator pages show it (docs/disputes.md). <see cref="LostCost"/>:
/// what a lost case cost the merchant (amount + fee); null unless the issuer ruled for the cardholder. <see cref="RecordedAt"/>: when
/// this service first heard of the case (lists go newest first by it).
/// </summary>
public sealed record DisputeSummary(
    string CaseId, string Status, string? CaseResult, string ReasonCategory, string ReasonCode, string ReasonMessage, string OutTradeNo, string UserId,
    decimal Amount, decimal Fee, decimal TotalAmount, string Currency, string RetrievalDate, string ExpirationDate, bool CanAnswer, decimal? LostCost, DateTimeOffset RecordedAt, DateTimeOffset UpdatedAt);

/// <summary>The disputed payment as recorded here.</summary>
public sealed record DisputedCharge(string OutTradeNo, string Kind, string? ChargeId, decimal Amount, string Currency, string Status, DateTimeOffset CreatedAt);

/// <summary>The saved card the disputed payment used or saved (never a card number). <c>FraudCaseId</c>: the case that stopped charges without the customer.</summary>
public sealed record DisputedCard(string PaymentTokenId, string? Brand, string? MaskedCard, string Status, bool MitAllowed, string? FraudCaseId, string? Attention);

/// <summary>A state the case was in, and when.</summary>
public sealed record DisputeStep(string Status, DateTimeOffset At);

/// <summary>One case with its payment, its card, its timeline and the merchant's answer (if any).</summary>
public sealed record DisputeDetails(DisputeSummary Case, DisputedCharge? Charge, DisputedCard? Card, IReadOnlyList<DisputeStep> Timeline, string? AnswerContent, IReadOnlyList<string> AnswerFiles, DateTimeOffset? AnsweredAt);

/// <summary>How a reply ended: taken by the gateway, or why not.</summary>
public enum DisputeReplyOutcome
{
    /// <summary>The gateway took the answer (a repeat of the same answer is taken again).</summary>
    Taken,

    /// <summary>No such case here.</summary>
    NotFound,

    /// <summary>The answer itself is malformed (<see cref="DisputeReply.Field"/> names what).</summary>
    Invalid,

    /// <summary>The case cannot be answered (not DISPUTE_INQUIRY, or past its expiration date), or the gateway refused.</summary>
    Refused,

    /// <summary>The gateway could not be reached or its answer was lost: the answer may or may not have been taken; sending it again is safe.</summary>
    Unknown,
}

/// <summary>What a reply did, in a sentence an operator reads, with the case as it is now.</summary>
public sealed record DisputeReply(DisputeReplyOutcome Outcome, string Message, string? Field = null, DisputeDetails? Details = null);

/// <summary>An answer to a case: the merchant's words (at most 256 characters) and up to 10 https links to evidence files.</summary>
public sealed record DisputeAnswer(string? ResponseContent, IReadOnlyList<string>? RepresentmentFile);

/// <summary>What one caseList pass did: cases read, cases new or moved on, and the code of a refusal that ended it (null: none).</summary>
public sealed record DisputeSyncSummary(int Read, int Changed, string? Refused = null);

internal static class DisputeViews
{
    public static DisputeSummary Summary(Dispute d, DateOnly today) => new(
        d.CaseId, d.Status, d.CaseResult, d.ReasonCategory, d.ReasonCode, d.ReasonMessage, d.OutTradeNo, d.UserId,
        Money(d.AmountMinor, d.Currency), Money(d.FeeMinor, d.Currency), Money(d.TotalMinor, d.Currency), d.Currency, d.RetrievalDate, d.ExpirationDate,
        CanAnswer(d, today), d.IsLost ? Money(d.TotalMinor, d.Currency) : null, DateTimeOffset.FromUnixTimeMilliseconds(d.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(d.UpdatedAt));

    /// <summary>Only a raised case can be answered, until the end of its expiration date (UTC).</summary>
    public static bool CanAnswer(Dispute d, DateOnly today) => d.Status == DisputeStatuses.Inquiry && !IsPastDeadline(d, today);

    public static bool IsPastDeadline(Dispute d, DateOnly today) =>
        DateOnly.TryParseExact(d.ExpirationDate, "yyyy-MM-dd", out var last) && today > last;

    public static DisputedCharge Charge(Payment p) => new(p.OutTradeNo, p.Kind, p.Charge, Money(p.AmountMinor, p.Currency), p.Currency, p.Status, DateTimeOffset.FromUnixTimeMilliseconds(p.CreatedAt));

    public static DisputedCard Card(WalletEntry w) => new(w.PaymentTokenId, w.Brand, w.MaskedCard, w.Status, w.MitAllowed, w.FraudCaseId, w.Attention);

    private static decimal Money(long minor, string currency) => Currencies.FromMinorUnits(minor, currency);
}
