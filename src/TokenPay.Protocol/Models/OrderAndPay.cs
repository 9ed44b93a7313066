using System.Text.Json;
using System.Text.Json.Serialization;
using TokenPay.Protocol.Json;

namespace TokenPay.Protocol.Models;

/// <summary><c>orderAndPay</c> data (docs/protocol.md 2.1). Everything is optional here so a server can name what is missing.</summary>
public sealed record OrderAndPayRequest
{
    /// <summary>The merchant's order number: letters, digits and '_', at most 64, unique per merchant case-insensitively.</summary>
    public string? OutTradeNo { get; init; }
    /// <summary>What is bought (at most 256 characters); the sandbox reads FAILED, PENDING and 3DS here.</summary>
    public string? Subject { get; init; }
    /// <summary>Amount in major units with at most the currency's minor digits.</summary>
    public decimal? TotalAmount { get; init; }
    /// <summary>ISO 4217 currency code.</summary>
    public string? Currency { get; init; }
    /// <summary>ISO 3166 alpha-2 country code.</summary>
    public string? Country { get; init; }
    /// <summary>The merchant's id of the customer; tokens belong to it (at most 64 characters).</summary>
    public string? UserId { get; init; }
    /// <summary>Page language, e.g. en (at most 16 characters).</summary>
    public string? Language { get; init; }
    /// <summary>Merchant data echoed in queries and notifications (at most 512 characters).</summary>
    public string? Reference { get; init; }
    /// <summary>Direct_Payment (card data, token or Drop-in token in the request) or Hosted_Checkout (the gateway's cashier page).</summary>
    public string? Integrate { get; init; }
    /// <summary>WEB, WAP or APP; required for Direct_Payment.</summary>
    public string? TerminalType { get; init; }
    /// <summary>ANDROID or IOS.</summary>
    public string? OsType { get; init; }
    /// <summary>Where the browser returns after a 3DS challenge or the cashier.</summary>
    public string? FrontCallbackUrl { get; init; }
    /// <summary>Where this order's notifications go (else the merchant's configured URL).</summary>
    public string? NotifyUrl { get; init; }
    /// <summary>Seconds the order may stay PENDING; clamped to 1800-86400 (default 1800).</summary>
    public long? ExpireTime { get; init; }
    /// <summary>Where the customer manages merchant-initiated payments.</summary>
    public string? MitManagementUrl { get; init; }
    /// <summary>How the payment is made.</summary>
    public PaymentDetail? PaymentDetail { get; init; }
    /// <summary>Items bought.</summary>
    public IReadOnlyList<GoodsDetail>? GoodsDetails { get; init; }
    /// <summary>Shipping address, passed through.</summary>
    public JsonElement? ShippingInfo { get; init; }
    /// <summary>Billing address, passed through.</summary>
    public JsonElement? BillingInfo { get; init; }
    /// <summary>Device environment, passed through.</summary>
    public JsonElement? EnvInfo { get; init; }
}

/// <summary>How the payment is made: a card, a stored token, or a Drop-in one-time token, and the token flags.</summary>
public sealed record PaymentDetail
{
    /// <summary>CARD.</summary>
    public string? PaymentMethodType { get; init; }
    /// <summary>Card data (PCI-certified merchants only); never together with paymentTokenID.</summary>
    public CardInfo? CardInfo { get; init; }

    /// <summary>A saved card's token id.</summary>
    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    /// <summary>Save the card and return a paymentTokenID (default false).</summary>
    public bool? TokenForFutureUse { get; init; }
    /// <summary>True for a merchant-initiated (MIT) payment without the customer (default false).</summary>
    public bool? MerchantInitiated { get; init; }
    /// <summary>SCHEDULED or UNSCHEDULED: the kind of merchant-initiated use.</summary>
    public string? MitType { get; init; }

    /// <summary>Drop-in: the one-time token the component handed to the page.</summary>
    public string? PaymentToken { get; init; }

    /// <summary>Drop-in: the session the one-time token belongs to.</summary>
    public string? SessionKey { get; init; }

    /// <summary>The customer's browser details.</summary>
    public BuyerInfo? BuyerInfo { get; init; }
}

/// <summary>Card data sent by a PCI-certified merchant. Never logged; <see cref="ToString"/> is masked.</summary>
public sealed record CardInfo
{
    /// <summary>The card number (PAN), 12-19 digits passing the Luhn check.</summary>
    public string? CardIdentifierNo { get; init; }
    /// <summary>The card organisation (VISA, MASTERCARD, AMEX, JCB, UNIONPAY); applyPaymentToken requires it, and it must match the number.</summary>
    public string? CardOrg { get; init; }
    /// <summary>The name on the card.</summary>
    public string? CardHolderFullName { get; init; }

    /// <summary>Expiry month, MM.</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? CardExpirationMonth { get; init; }

    /// <summary>Expiry year, YY.</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? CardExpirationYear { get; init; }

    /// <summary>The card security code; used once, never stored.</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Cvv { get; init; }

    /// <summary>Masked, so a stray log or exception cannot leak the card.</summary>
    public override string ToString() =>
        $"CardInfo {{ CardIdentifierNo = {(CardIdentifierNo is null ? "null" : Cards.Mask(CardIdentifierNo))}, Cvv = *** }}";
}

/// <summary>The customer's browser and contact details.</summary>
public sealed record BuyerInfo
{
    /// <summary>The customer's IP address.</summary>
    public string? ClientIp { get; init; }
    /// <summary>The customer's browser user agent.</summary>
    public string? UserAgent { get; init; }
    /// <summary>The customer's email address.</summary>
    public string? Email { get; init; }
    /// <summary>The customer's first name.</summary>
    public string? FirstName { get; init; }
    /// <summary>The customer's last name.</summary>
    public string? LastName { get; init; }
    /// <summary>The customer's phone number.</summary>
    public string? Phone { get; init; }
}

/// <summary>One item of the order.</summary>
public sealed record GoodsDetail
{
    /// <summary>The merchant's item id.</summary>
    public string? GoodsId { get; init; }
    /// <summary>Item name.</summary>
    public string? GoodsName { get; init; }

    /// <summary>How many.</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Quantity { get; init; }

    /// <summary>Unit price in major units.</summary>
    public decimal? Price { get; init; }
    /// <summary>Currency of the price.</summary>
    public string? GoodsCurrency { get; init; }
    /// <summary>Item page.</summary>
    public string? ShowUrl { get; init; }
    /// <summary>Item category.</summary>
    public string? GoodsCategory { get; init; }
}

/// <summary><c>orderAndPay</c> answer data.</summary>
public sealed record OrderAndPayResult
{
    /// <summary>The merchant's order number: letters, digits and '_', at most 64, unique per merchant case-insensitively.</summary>
    public required string OutTradeNo { get; init; }
    /// <summary>The gateway's order id (T + digits).</summary>
    public required string TradeToken { get; init; }
    /// <summary>The order's state: PENDING, SUCCESS, FAILED or CLOSED.</summary>
    public required string Status { get; init; }
    /// <summary>Where to send the customer (3DS challenge, hosted cashier), when the customer must act.</summary>
    public string? RedirectUrl { get; init; }

    /// <summary>The decline code of a FAILED payment.</summary>
    public string? ResultCode { get; init; }

    /// <summary>The failure (or success) explanation.</summary>
    public string? ResultMsg { get; init; }

    /// <summary>The network's advice on a FAILED payment (TokenPay's addition), when it gave any.</summary>
    public DeclineAdviceView? DeclineAdvice { get; init; }
}
