using TokenPay.Acquiring;

namespace TokenPay.Gateway.Orders;

/// <summary>The modes of orderAndPay (docs/protocol.md 2.1) that the API accepts.</summary>
internal enum PaymentMode
{
    /// <summary>A. Card payment without a token.</summary>
    Card,

    /// <summary>B. Card payment (or zero-amount verification) that saves a token.</summary>
    CardBind,

    /// <summary>C. Token payment with the customer present.</summary>
    TokenCustomer,

    /// <summary>D. Merchant-initiated token payment, scheduled or unscheduled.</summary>
    TokenMerchant,

    /// <summary>E. The customer enters the card on the gateway's hosted cashier page.</summary>
    Hosted,

    /// <summary>F. A one-time token from the Drop-in component.</summary>
    DropIn,
}

/// <summary>An orderAndPay request that passed validation: every field checked, amounts in minor units.</summary>
internal sealed record OrderPlan
{
    public required PaymentMode Mode { get; init; }
    public required string Integrate { get; init; }
    public required string OutTradeNo { get; init; }
    public required string Subject { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    /// <summary>As sent; null when absent (the order then takes the saved card's, the session's or the merchant's country).</summary>
    public required string? Country { get; init; }
    public required string UserId { get; init; }
    public string? Reference { get; init; }
    public string? Language { get; init; }
    public string? FrontCallbackUrl { get; init; }
    public string? NotifyUrl { get; init; }
    public required TimeSpan ExpiresIn { get; init; }
    public PlainCard? Card { get; init; }
    public string? PaymentTokenId { get; init; }
    public string? MitType { get; init; }

    /// <summary>Drop-in: the component's one-time token and its session.</summary>
    public string? DropinPaymentToken { get; init; }

    public string? DropinSessionKey { get; init; }

    /// <summary>Whether a successful payment saves the card (modes B, E and F with tokenForFutureUse).</summary>
    public required bool BindsToken { get; init; }

    public bool MerchantInitiated => Mode == PaymentMode.TokenMerchant;
}
