using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary><c>inquirePaymentToken</c> data (v1.2).</summary>
public sealed record InquirePaymentTokenRequest
{
    public string? UserId { get; init; }
    public string? TokenScope { get; init; }

    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    public string? PaymentMethodType { get; init; }
    public string? CardOrg { get; init; }
}

public sealed record InquirePaymentTokenResult
{
    public required IReadOnlyList<PaymentTokenView> TokenList { get; init; }
}

/// <summary>A stored card token as the merchant sees it; the card number only masked.</summary>
public sealed record PaymentTokenView
{
    [JsonPropertyName("paymentTokenID")]
    public required string PaymentTokenId { get; init; }

    public required string UserId { get; init; }
    public required string TokenScope { get; init; }
    public required string PaymentTokenStatus { get; init; }
    public required string PaymentTokenExpiry { get; init; }
    public required string CardInfo { get; init; }
    public required string Brand { get; init; }
    public required string IfCVV { get; init; }
    public required string PaymentMethodType { get; init; }
    public required string TargetOrg { get; init; }
    public required string AccountDisplay { get; init; }
    public required bool MerchantInitiated { get; init; }
}

/// <summary><c>removePaymentToken</c> data (v1.2).</summary>
public sealed record RemovePaymentTokenRequest
{
    public string? UserId { get; init; }

    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    public string? RemoveReason { get; init; }
}

public sealed record RemovePaymentTokenResult
{
    public required string UserId { get; init; }

    [JsonPropertyName("paymentTokenID")]
    public required string PaymentTokenId { get; init; }

    public required string PaymentTokenStatus { get; init; }
}
