using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary><c>caseSearch</c> data: one dispute case by its id (docs/disputes.md).</summary>
public sealed record CaseSearchRequest
{
    /// <summary>The case id the CHARGEBACK notification named (at most 64 characters).</summary>
    public required string CaseId { get; init; }
}

/// <summary>
/// A dispute case as <c>caseSearch</c> answers it and the CHARGEBACK notification carries it. Amounts travel as
/// strings in major units, as PayerMax sends them; dates without a time are <c>yyyy-MM-dd</c> (UTC).
/// </summary>
public sealed record CaseView
{
    /// <summary>The gateway's case id (D + digits).</summary>
    public required string CaseId { get; init; }
    /// <summary>Set only for a batch retrieval; TokenPay raises none, so always absent.</summary>
    public string? BatchId { get; init; }
    /// <summary>DISPUTE_INQUIRY, DISPUTE_RECEIVED, DISPUTE_END, CASE_CLOSED or CASE_CANCEL (<see cref="DisputeStatuses"/>).</summary>
    public required string Status { get; init; }
    /// <summary>WIN or FAIL once the issuer ruled (<see cref="CaseResults"/>); absent before.</summary>
    public string? CaseResult { get; init; }
    /// <summary>The card network's reason code (Visa 10.4, Mastercard 4837, ...).</summary>
    public required string ReasonCode { get; init; }
    /// <summary>The reason in words.</summary>
    public required string ReasonMessage { get; init; }
    /// <summary>TokenPay's addition: the reason's family (<see cref="DisputeReasons"/>), the same for every network.</summary>
    public required string ReasonCategory { get; init; }
    /// <summary>The disputed order's merchant number.</summary>
    public required string OutTradeNo { get; init; }
    /// <summary>The disputed order's trade token.</summary>
    public required string TradeToken { get; init; }
    /// <summary>The acquirer's reference of the disputed payment.</summary>
    public string? ChannelOrderNo { get; init; }
    /// <summary>The customer the order was for.</summary>
    public required string OutUserId { get; init; }
    /// <summary>TokenPay's addition: the saved card the order used or saved, when there is one.</summary>
    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }
    /// <summary>The order's amount.</summary>
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required decimal TradeAmount { get; init; }
    /// <summary>The order's currency.</summary>
    public required string TradeCurrency { get; init; }
    /// <summary>The order's country.</summary>
    public required string TradeCountry { get; init; }
    /// <summary>When the order was created (RFC 3339).</summary>
    public required string TradeCreateTime { get; init; }
    /// <summary>When the order was paid (RFC 3339).</summary>
    public string? PayFinishTime { get; init; }
    /// <summary>What the cardholder disputes, which the acquirer freezes from the merchant's funds.</summary>
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required decimal Amount { get; init; }
    /// <summary>The chargeback fee, kept when the merchant loses (released on a win or a cancellation).</summary>
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required decimal Fee { get; init; }
    /// <summary>Amount plus fee.</summary>
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public required decimal TotalAmount { get; init; }
    /// <summary>The currency of the frozen amounts: the order's.</summary>
    public required string Currency { get; init; }
    /// <summary>The day the dispute was raised (yyyy-MM-dd).</summary>
    public required string RetrievalDate { get; init; }
    /// <summary>The last day the merchant can answer with caseReplay (yyyy-MM-dd, until its end in UTC).</summary>
    public required string ExpirationDate { get; init; }
    /// <summary>The card's network (VISA, MASTERCARD, ...).</summary>
    public string? CardOrg { get; init; }
    /// <summary>CARD.</summary>
    public required string PaymentMethodType { get; init; }
    /// <summary>The order's subject.</summary>
    public string? ProductDesc { get; init; }
}

/// <summary><c>caseReplay</c> data: the merchant's answer to a case, with its evidence.</summary>
public sealed record CaseReplayRequest
{
    /// <summary>The case to answer.</summary>
    public string? CaseId { get; init; }
    /// <summary>A batch retrieval to answer; TokenPay raises none, so naming one is refused.</summary>
    public string? BatchId { get; init; }
    /// <summary>The customer the disputed order was for (must match the case).</summary>
    public required string OutUserId { get; init; }
    /// <summary>The merchant's answer in words (at most 256 characters).</summary>
    public required string ResponseContent { get; init; }
    /// <summary>Links to the evidence files (at most 10, https, ending in a name with extension png, jpg, jpeg, pdf, zip, doc, docx, xls or xlsx).</summary>
    public required IReadOnlyList<string> RepresentmentFile { get; init; }
}

/// <summary>What <c>caseReplay</c> answers: the cases whose answer was taken, and those refused.</summary>
public sealed record CaseReplayResult
{
    /// <summary>Cases now DISPUTE_RECEIVED with this answer (a repeat of the same answer is taken again).</summary>
    public required IReadOnlyList<string> SuccessCaseIds { get; init; }
    /// <summary>Cases that did not take the answer (the answer's code and msg say why).</summary>
    public required IReadOnlyList<string> FailCaseIds { get; init; }
}

/// <summary>
/// <c>caseList</c> data, TokenPay's addition (PayerMax's caseSearch finds one case by id only): a merchant's
/// cases changed after a cursor, oldest change first, for reconciliation when a notification was missed.
/// </summary>
public sealed record CaseListRequest
{
    /// <summary>Only the cases of this order.</summary>
    public string? OutTradeNo { get; init; }
    /// <summary>The <see cref="CaseListResult.NextCursor"/> of the previous page; absent for the first.</summary>
    public string? Cursor { get; init; }
    /// <summary>At most this many cases (1 to 100; 50 when absent).</summary>
    public int? Limit { get; init; }
}

/// <summary>A page of <c>caseList</c>.</summary>
public sealed record CaseListResult
{
    /// <summary>The cases, in the order they last changed.</summary>
    public required IReadOnlyList<CaseView> Cases { get; init; }
    /// <summary>Where the next page starts; ask again with it later to see newer changes.</summary>
    public required string NextCursor { get; init; }
    /// <summary>True when more cases changed after this page already.</summary>
    public required bool HasMore { get; init; }
}

/// <summary>A dispute case's states (docs/disputes.md): raised, answered, ruled, then closed; or cancelled by the cardholder.</summary>
public static class DisputeStatuses
{
    /// <summary>Raised: waiting for the merchant's answer until the expiration date.</summary>
    public const string Inquiry = "DISPUTE_INQUIRY";
    /// <summary>The merchant's answer was received and sent to the issuer.</summary>
    public const string Received = "DISPUTE_RECEIVED";
    /// <summary>The issuer ruled (caseResult says how); the frozen funds follow the ruling.</summary>
    public const string End = "DISPUTE_END";
    /// <summary>Closed after the ruling (final).</summary>
    public const string Closed = "CASE_CLOSED";
    /// <summary>The cardholder withdrew the dispute; the frozen funds are released (final).</summary>
    public const string Cancelled = "CASE_CANCEL";
}

/// <summary>How the issuer ruled.</summary>
public static class CaseResults
{
    /// <summary>The merchant won: the frozen amount and fee are released.</summary>
    public const string Win = "WIN";
    /// <summary>The merchant lost: the amount goes back to the cardholder and the fee is kept.</summary>
    public const string Fail = "FAIL";
}

/// <summary>TokenPay's reason families (<see cref="CaseView.ReasonCategory"/>), each with its network reason codes.</summary>
public static class DisputeReasons
{
    /// <summary>The cardholder did not authorize the payment (Visa 10.4, Mastercard 4837). Stops MITs on the card.</summary>
    public const string Fraud = "FRAUD";
    /// <summary>Goods or services not received (Visa 13.1, Mastercard 4855).</summary>
    public const string NotReceived = "NOT_RECEIVED";
    /// <summary>Charged twice (Visa 12.6.1, Mastercard 4834).</summary>
    public const string Duplicate = "DUPLICATE";
    /// <summary>A recurring payment after the cardholder cancelled it (Visa 13.2, Mastercard 4841).</summary>
    public const string CancelledRecurring = "CANCELLED_RECURRING";
    /// <summary>Not as described or defective (Visa 13.3, Mastercard 4853).</summary>
    public const string NotAsDescribed = "NOT_AS_DESCRIBED";
    /// <summary>A promised refund never came (Visa 13.6, Mastercard 4860).</summary>
    public const string CreditNotProcessed = "CREDIT_NOT_PROCESSED";

    /// <summary>Every family, in the order docs/disputes.md lists them.</summary>
    public static readonly IReadOnlyList<string> All = [Fraud, NotReceived, Duplicate, CancelledRecurring, NotAsDescribed, CreditNotProcessed];
}
