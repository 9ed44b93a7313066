using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary><c>inquirePaymentToken</c> data (v1.2).</summary>
public sealed record InquirePaymentTokenRequest
{
    /// <summary>The merchant's id of the customer; tokens belong to it (at most 64 characters).</summary>
    public required string UserId { get; init; }
    /// <summary>
    /// tokenAcq (all the user's tokens) or tokenMit (only those usable for MIT). The .NET client sends tokenAcq,
    /// PayerMax's documented value, when this is null; the gateway refuses a request without it.
    /// </summary>
    public string? TokenScope { get; init; }

    /// <summary>A saved card's token id.</summary>
    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    /// <summary>CARD.</summary>
    public string? PaymentMethodType { get; init; }
    /// <summary>Card organisation: VISA, MASTERCARD, AMEX, JCB, UNIONPAY.</summary>
    public string? CardOrg { get; init; }
}

/// <summary><c>inquirePaymentToken</c> answer data.</summary>
public sealed record InquirePaymentTokenResult
{
    /// <summary>The user's tokens.</summary>
    public required IReadOnlyList<PaymentTokenView> TokenList { get; init; }
}

/// <summary>A stored card token as the merchant sees it; the card number only masked.</summary>
public sealed record PaymentTokenView
{
    /// <summary>A saved card's token id.</summary>
    [JsonPropertyName("paymentTokenID")]
    public required string PaymentTokenId { get; init; }

    /// <summary>The merchant's id of the customer; tokens belong to it (at most 64 characters).</summary>
    public required string UserId { get; init; }
    /// <summary>tokenAcq (all the user's tokens) or tokenMit (only those usable for MIT).</summary>
    public required string TokenScope { get; init; }
    /// <summary>Activated, Deleted or Expired.</summary>
    public required string PaymentTokenStatus { get; init; }
    /// <summary>End of the card's expiry month (RFC 3339).</summary>
    public required string PaymentTokenExpiry { get; init; }
    /// <summary>The card, masked first 6 / last 4.</summary>
    public required string CardInfo { get; init; }
    /// <summary>Card brand.</summary>
    public required string Brand { get; init; }
    /// <summary>Y when a payment with this token needs the CVV.</summary>
    public required string IfCVV { get; init; }
    /// <summary>CARD.</summary>
    public required string PaymentMethodType { get; init; }
    /// <summary>Card organisation.</summary>
    public required string TargetOrg { get; init; }
    /// <summary>How to show the card to its owner.</summary>
    public required string AccountDisplay { get; init; }
    /// <summary>True when the token may be charged without the customer (saved with mitType).</summary>
    public required bool MerchantInitiated { get; init; }

    /// <summary>TokenPay's addition: the account updater's last change to the card behind the token (NEW_EXPIRY, NEW_NUMBER, CLOSED), if any.</summary>
    public string? CardUpdate { get; init; }

    /// <summary>When that change was made (RFC 3339).</summary>
    public string? CardUpdateTime { get; init; }
}

/// <summary><c>removePaymentToken</c> data (v1.2).</summary>
public sealed record RemovePaymentTokenRequest
{
    /// <summary>The merchant's id of the customer; tokens belong to it (at most 64 characters).</summary>
    public required string UserId { get; init; }

    /// <summary>A saved card's token id.</summary>
    [JsonPropertyName("paymentTokenID")]
    public required string PaymentTokenId { get; init; }

    /// <summary>Why the token is removed.</summary>
    public string? RemoveReason { get; init; }
}

/// <summary><c>removePaymentToken</c> answer data.</summary>
public sealed record RemovePaymentTokenResult
{
    /// <summary>The merchant's id of the customer; tokens belong to it (at most 64 characters).</summary>
    public required string UserId { get; init; }

    /// <summary>A saved card's token id.</summary>
    [JsonPropertyName("paymentTokenID")]
    public required string PaymentTokenId { get; init; }

    /// <summary>Activated, Deleted or Expired.</summary>
    public required string PaymentTokenStatus { get; init; }
}
