using System.Text.Json;
using System.Text.Json.Serialization;
using TokenPay.Protocol.Json;

namespace TokenPay.Protocol.Models;

/// <summary><c>orderAndPay</c> data (PROTOCOL.md 3.1). Everything is optional here so a server can name what is missing.</summary>
public sealed record OrderAndPayRequest
{
    public string? OutTradeNo { get; init; }
    public string? Subject { get; init; }
    public decimal? TotalAmount { get; init; }
    public string? Currency { get; init; }
    public string? Country { get; init; }
    public string? UserId { get; init; }
    public string? Language { get; init; }
    public string? Reference { get; init; }
    public string? Integrate { get; init; }
    public string? TerminalType { get; init; }
    public string? OsType { get; init; }
    public string? FrontCallbackUrl { get; init; }
    public string? NotifyUrl { get; init; }
    public long? ExpireTime { get; init; }
    public string? MitManagementUrl { get; init; }
    public PaymentDetail? PaymentDetail { get; init; }
    public IReadOnlyList<GoodsDetail>? GoodsDetails { get; init; }
    public JsonElement? ShippingInfo { get; init; }
    public JsonElement? BillingInfo { get; init; }
    public JsonElement? EnvInfo { get; init; }
}

/// <summary>How the payment is made: a card, a stored token, or a Drop-in one-time token, and the token flags.</summary>
public sealed record PaymentDetail
{
    public string? PaymentMethodType { get; init; }
    public CardInfo? CardInfo { get; init; }

    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    public bool? TokenForFutureUse { get; init; }
    public bool? MerchantInitiated { get; init; }
    public string? MitType { get; init; }

    /// <summary>Drop-in: the one-time token the component handed to the page.</summary>
    public string? PaymentToken { get; init; }

    /// <summary>Drop-in: the session the one-time token belongs to.</summary>
    public string? SessionKey { get; init; }

    public BuyerInfo? BuyerInfo { get; init; }
}

/// <summary>Card data sent by a PCI-certified merchant. Never logged; <see cref="ToString"/> is masked.</summary>
public sealed record CardInfo
{
    public string? CardIdentifierNo { get; init; }
    public string? CardHolderFullName { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? CardExpirationMonth { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? CardExpirationYear { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Cvv { get; init; }

    /// <summary>Masked, so a stray log or exception cannot leak the card.</summary>
    public override string ToString() =>
        $"CardInfo {{ CardIdentifierNo = {(CardIdentifierNo is null ? "null" : Cards.Mask(CardIdentifierNo))}, Cvv = *** }}";
}

public sealed record BuyerInfo
{
    public string? ClientIp { get; init; }
    public string? UserAgent { get; init; }
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Phone { get; init; }
}

public sealed record GoodsDetail
{
    public string? GoodsId { get; init; }
    public string? GoodsName { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Quantity { get; init; }

    public decimal? Price { get; init; }
    public string? GoodsCurrency { get; init; }
    public string? ShowUrl { get; init; }
    public string? GoodsCategory { get; init; }
}

/// <summary><c>orderAndPay</c> answer data.</summary>
public sealed record OrderAndPayResult
{
    public required string OutTradeNo { get; init; }
    public required string TradeToken { get; init; }
    public required string Status { get; init; }
    public string? RedirectUrl { get; init; }

    /// <summary>The decline code of a FAILED payment.</summary>
    public string? ResultCode { get; init; }

    public string? ResultMsg { get; init; }
}
