using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary>
/// A notification from the platform (docs/protocol.md 5), signed in the <c>sign</c> header over the raw body.
/// <c>data</c> is an <see cref="OrderView"/> for PAYMENT and a <see cref="TokenizationView"/> for TOKENIZATION.
/// </summary>
public sealed record Notification<TData>
{
    /// <summary>The merchant application id (at most 64 characters).</summary>
    public required string AppId { get; init; }
    /// <summary>The merchant number (at most 32 characters).</summary>
    public required string MerchantNo { get; init; }
    /// <summary>Which of the merchant's registered keys signed the request ("1").</summary>
    public required string KeyVersion { get; init; }
    /// <summary>When the event happened (RFC 3339).</summary>
    public required string NotifyTime { get; init; }
    /// <summary>PAYMENT, TOKENIZATION or REFUND.</summary>
    public required string NotifyType { get; init; }
    /// <summary>Result code: APPLY_SUCCESS when accepted, otherwise a docs/protocol.md 4 code.</summary>
    public required string Code { get; init; }
    /// <summary>Human-readable explanation of the code.</summary>
    public required string Msg { get; init; }
    /// <summary>The API's data.</summary>
    public required TData Data { get; init; }
}

/// <summary>
/// A token as a TOKENIZATION notification carries it: when a card is saved (by a payment or by applyPaymentToken),
/// and again on every later change of the token (removed, expired, closed or updated by the card's issuer).
/// </summary>
public sealed record TokenizationView
{
    /// <summary>The merchant's id of the customer; tokens belong to it (at most 64 characters).</summary>
    public required string UserId { get; init; }

    /// <summary>A saved card's token id.</summary>
    [JsonPropertyName("paymentTokenID")]
    public required string PaymentTokenId { get; init; }

    /// <summary>tokenAcq.</summary>
    public required string TokenScope { get; init; }
    /// <summary>End of the card's expiry month (RFC 3339).</summary>
    public required string PaymentTokenExpiry { get; init; }
    /// <summary>Activated, Deleted or Expired: the token as it is now.</summary>
    public required string PaymentTokenStatus { get; init; }
    /// <summary>The card, masked first 6 / last 4.</summary>
    public required string CardInfo { get; init; }
    /// <summary>Y when a payment with this token needs the CVV again; N otherwise.</summary>
    public required string IfCVV { get; init; }
    /// <summary>Card brand.</summary>
    public required string Brand { get; init; }

    /// <summary>The payment that saved the card: on the first notification of a token saved by a payment only.</summary>
    public string? OutTradeNo { get; init; }

    /// <summary>CARD.</summary>
    public required string PaymentMethodType { get; init; }
    /// <summary>The country (ISO 3166 alpha-2) of the payment or application that saved the card.</summary>
    public required string Country { get; init; }

    /// <summary>The applyPaymentToken requestId, for a token saved by a token application.</summary>
    public string? RequestId { get; init; }

    /// <summary>True when the token may be charged without the customer (saved with mitType).</summary>
    [JsonPropertyName("supportMIT")]
    public required bool SupportMit { get; init; }

    /// <summary>The saving's outcome: SUCCESS (a token exists only when the card was saved).</summary>
    public required string Status { get; init; }

    /// <summary>
    /// TokenPay's addition: set when the notification reports the account updater's change to the stored card
    /// rather than a new token: NEW_EXPIRY, NEW_NUMBER (same token, new card details) or CLOSED (the token can no longer be charged).
    /// </summary>
    public string? CardUpdate { get; init; }
}

/// <summary>What a merchant answers to acknowledge a notification: HTTP 200 with <c>{"code":"SUCCESS","msg":"Success"}</c>.</summary>
public sealed record NotificationAck
{
    /// <summary>The acknowledgement code.</summary>
    public const string SuccessCode = "SUCCESS";

    /// <summary>Result code: APPLY_SUCCESS when accepted, otherwise a docs/protocol.md 4 code.</summary>
    public required string Code { get; init; }
    /// <summary>Human-readable explanation of the code.</summary>
    public string? Msg { get; init; }
}
