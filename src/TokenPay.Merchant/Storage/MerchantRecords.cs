using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Storage;

/// <summary>A payment the merchant started: a shop checkout or an MIT charge. Amounts in minor units, times in Unix ms.</summary>
internal sealed record Payment
{
    public required string OutTradeNo { get; init; }

    /// <summary>The caller's idempotency key of an MIT charge; null for checkouts.</summary>
    public string? ChargeId { get; init; }

    public required string Kind { get; init; }
    public required string UserId { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public string? Reason { get; init; }

    /// <summary>Set when the payment saves the card (with this mitType, or empty for customer-present use only).</summary>
    public string? SaveMitType { get; init; }

    public bool SavesCard { get; init; }
    public string? PaymentTokenId { get; init; }
    public string? TradeToken { get; init; }
    public required string Status { get; init; }
    public string? ResultCode { get; init; }
    public string? ResultMsg { get; init; }
    public required long CreatedAt { get; init; }
    public required long UpdatedAt { get; init; }

    /// <summary>For a retry of a declined MIT charge: the charge's id (its first payment holds <see cref="ChargeId"/>).</summary>
    public string? ChargeOf { get; init; }

    /// <summary>1 for a charge's first payment, 2 for its first retry, and so on.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The network's advice on this payment's decline (docs/stored-credentials.md).</summary>
    public int? AdviceCategory { get; init; }

    public string? MerchantAdviceCode { get; init; }

    /// <summary>On a charge's first payment: when its next retry is due (null: none planned).</summary>
    public long? RetryAt { get; init; }

    /// <summary>On a charge's first payment: the retry plan in a sentence (why and when, or why no more).</summary>
    public string? RetryNote { get; init; }

    /// <summary>How many times its request was handed to the network; 0: it never left, and no order can exist.</summary>
    public int Sends { get; init; }

    public bool IsFinal => Status is PaymentStatuses.Success or PaymentStatuses.Failed or PaymentStatuses.Closed or PaymentStatuses.Refused;

    /// <summary>Refused before its request ever left: asking again with the same charge id sends it then.</summary>
    public bool IsRefusedUnsent => Status == PaymentStatuses.Refused && Sends == 0;

    /// <summary>The charge this payment is an attempt of, if any.</summary>
    public string? Charge => ChargeId ?? ChargeOf;
}

internal static class PaymentKinds
{
    public const string Checkout = "CHECKOUT";
    public const string Mit = "MIT";
}

/// <summary>
/// A payment's state here: CREATED (recorded before the request is sent; the outcome may be unknown),
/// the gateway's PENDING/SUCCESS/FAILED/CLOSED, or REFUSED (no order exists: the gateway refused the request,
/// or it was never sent, which <see cref="Payment.Sends"/> = 0 tells).
/// </summary>
internal static class PaymentStatuses
{
    public const string Created = "CREATED";
    public const string Pending = "PENDING";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
    public const string Closed = "CLOSED";
    public const string Refused = "REFUSED";
}

/// <summary>A saved payment method of a user. Never a card number: only the masked form the gateway shows.</summary>
internal sealed record WalletEntry
{
    public required string PaymentTokenId { get; init; }
    public required string UserId { get; init; }
    public string? Brand { get; init; }
    public string? MaskedCard { get; init; }
    public string? Expiry { get; init; }
    public required string Status { get; init; }
    public required bool MitAllowed { get; init; }
    public string? BindingOutTradeNo { get; init; }
    public required long UpdatedAt { get; init; }

    /// <summary>Why the card needs its customer (closed, replaced, declined for good), in a sentence; null when it does not.</summary>
    public string? Attention { get; init; }

    /// <summary>
    /// The FRAUD dispute that took the card from charges without the customer (docs/disputes.md), until the customer
    /// saves it again in a payment of their own; null when none did.
    /// </summary>
    public string? FraudCaseId { get; init; }

    /// <summary>A card as the gateway's token list shows it; the store sets <see cref="UpdatedAt"/> when it writes it.</summary>
    public static WalletEntry FromGateway(PaymentTokenView token) =>
        FromGateway(token.PaymentTokenId, token.UserId, token.Brand, token.CardInfo, token.PaymentTokenExpiry, token.PaymentTokenStatus, token.MerchantInitiated, token.CardUpdate);

    /// <summary>A card as a TOKENIZATION notification shows it, with the payment that saved it when it was one.</summary>
    public static WalletEntry FromGateway(TokenizationView token) =>
        FromGateway(token.PaymentTokenId, token.UserId, token.Brand, token.CardInfo, token.PaymentTokenExpiry, token.PaymentTokenStatus, token.SupportMit, token.CardUpdate)
            with { BindingOutTradeNo = token.OutTradeNo };

    /// <summary>What an operator (and the customer) should know after the issuer changed a saved card; null when nothing did.</summary>
    private static string? AttentionFor(string? cardUpdate) => cardUpdate switch
    {
        "NEW_EXPIRY" => "The issuer renewed this card: the new expiry is on file, nothing to do.",
        "NEW_NUMBER" => "The issuer replaced this card: the new number is on file (same saved card), nothing to do.",
        "CLOSED" => "The issuer closed this card: it can no longer be charged. Ask the customer for another card.",
        _ => null,
    };

    // The two gateway views name the same facts differently (MerchantInitiated and SupportMit).
    private static WalletEntry FromGateway(string paymentTokenId, string userId, string brand, string cardInfo, string expiry, string status, bool mitAllowed, string? cardUpdate) => new()
    {
        PaymentTokenId = paymentTokenId,
        UserId = userId,
        Brand = brand,
        MaskedCard = cardInfo,
        Expiry = expiry,
        Status = status,
        MitAllowed = mitAllowed,
        UpdatedAt = 0,
        Attention = AttentionFor(cardUpdate),
    };
}

/// <summary>A refund the merchant asked for. Amounts in minor units, times in Unix ms.</summary>
internal sealed record MerchantRefund
{
    public required string OutRefundNo { get; init; }

    /// <summary>The caller's idempotency key.</summary>
    public required string RefundId { get; init; }

    /// <summary>The refunded payment.</summary>
    public required string OutTradeNo { get; init; }

    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public string? Reason { get; init; }
    public required string Status { get; init; }
    public string? RefundTradeNo { get; init; }
    public string? ResultCode { get; init; }
    public string? ResultMsg { get; init; }
    public required long CreatedAt { get; init; }
    public required long UpdatedAt { get; init; }

    /// <summary>How many times its request was handed to the network; 0: it never left, and no refund can exist.</summary>
    public int Sends { get; init; }

    public bool IsFinal => Status is RefundStates.Success or RefundStates.Failed or RefundStates.Refused;

    /// <summary>Refused before its request ever left: asking again with the same refund id sends it then.</summary>
    public bool IsRefusedUnsent => Status == RefundStates.Refused && Sends == 0;
}

/// <summary>
/// A refund's state here: CREATED (recorded before the request is sent; the outcome may be unknown), the
/// gateway's REFUND_PENDING / REFUND_SUCCESS / REFUND_FAILED, or REFUSED (the gateway refused it; no refund exists).
/// </summary>
internal static class RefundStates
{
    public const string Created = "CREATED";
    public const string Pending = Protocol.RefundStatuses.Pending;
    public const string Success = Protocol.RefundStatuses.Success;
    public const string Failed = Protocol.RefundStatuses.Failed;
    public const string Refused = "REFUSED";
}

/// <summary>What a gateway answer, query or notification says about a refund.</summary>
internal sealed record RefundUpdate(string OutRefundNo, string Status, string? RefundTradeNo, string? ResultCode, string? ResultMsg);

/// <summary>Where a newest-first list goes on: after the last row shown, by its creation time and then its key (ties share a time).</summary>
internal sealed record PageMark(long CreatedAt, string Key)
{
    /// <summary>The mark as a link carries it: <c>{createdAt}_{key}</c>.</summary>
    public string Text => $"{CreatedAt}_{Key}";

    /// <summary>The mark of a link, or null when the text is not one.</summary>
    public static PageMark? Parse(string? text) =>
        text?.Split('_', 2) is [var at, { Length: > 0 } key] && long.TryParse(at, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var createdAt)
            ? new PageMark(createdAt, key)
            : null;
}

/// <summary>Which payments a list shows; a null filter shows all.</summary>
internal sealed record PaymentFilter(string? Status = null, string? UserId = null, string? Kind = null, PageMark? Older = null);

/// <summary>Which charges a list shows (by the status of their latest attempt); a null filter shows all.</summary>
internal sealed record ChargeFilter(string? Status = null, string? UserId = null, PageMark? Older = null);

/// <summary>A customer as the operator's list shows them: a user with saved cards or payments.</summary>
internal sealed record CustomerSummary
{
    public required string UserId { get; init; }
    public required long ActiveCards { get; init; }

    /// <summary>When their latest payment was made (Unix ms); null when they have none.</summary>
    public long? LastPaymentAt { get; init; }
}

/// <summary>An MIT charge as a list shows it: its first payment's request, and its latest attempt's status.</summary>
internal sealed record ChargeSummary
{
    public required string ChargeId { get; init; }
    public required string UserId { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public required long CreatedAt { get; init; }
    public required string Status { get; init; }
    public required int Attempts { get; init; }
}

/// <summary>
/// A dispute case as this merchant last heard of it (docs/disputes.md). Money in minor units of <see cref="Currency"/>;
/// dates <c>yyyy-MM-dd</c> (UTC); times in Unix ms.
/// </summary>
internal sealed record Dispute
{
    public required string CaseId { get; init; }
    public required string OutTradeNo { get; init; }
    public required string TradeToken { get; init; }
    public required string UserId { get; init; }

    /// <summary>The saved card the disputed payment used or saved: the case's, else the payment's.</summary>
    public string? PaymentTokenId { get; init; }

    public required string ReasonCategory { get; init; }
    public required string ReasonCode { get; init; }
    public required string ReasonMessage { get; init; }
    public required long AmountMinor { get; init; }
    public required long FeeMinor { get; init; }
    public required long TotalMinor { get; init; }
    public required string Currency { get; init; }
    public required string Status { get; init; }

    /// <summary>How far along <see cref="Status"/> is (<see cref="DisputeLedger.Rank"/>): a case never goes back.</summary>
    public required int StatusRank { get; init; }

    public string? CaseResult { get; init; }
    public required string RetrievalDate { get; init; }

    /// <summary>The last day (UTC) the case can be answered.</summary>
    public required string ExpirationDate { get; init; }

    public string? AnswerContent { get; init; }

    /// <summary>The evidence links of the answer, as a JSON array.</summary>
    public string? AnswerFiles { get; init; }

    public long? AnsweredAt { get; init; }
    public required long CreatedAt { get; init; }
    public required long UpdatedAt { get; init; }

    /// <summary>Open cases freeze their amount: raised or answered, not yet ruled.</summary>
    public bool IsOpen => Status is Protocol.Models.DisputeStatuses.Inquiry or Protocol.Models.DisputeStatuses.Received;

    /// <summary>The issuer ruled for the cardholder: the amount is gone and the fee is kept.</summary>
    public bool IsLost => CaseResult == Protocol.Models.CaseResults.Fail;
}

/// <summary>A state a case was seen in, and when (Unix ms).</summary>
internal sealed record DisputeEvent(string Status, long At);

/// <summary>Which disputes a list shows: open (raised or answered), closed (ruled, closed or cancelled), or all (null).</summary>
internal sealed record DisputeFilter(bool? Open = null, PageMark? Older = null);
