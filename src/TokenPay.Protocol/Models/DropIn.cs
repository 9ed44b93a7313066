namespace TokenPay.Protocol.Models;

/// <summary><c>applyDropinSession</c> data (v1.6). <c>mitType</c> accepts PayerMax's spelling <c>UNSCHDULED</c>.</summary>
public sealed record ApplyDropinSessionRequest
{
    /// <summary>The merchant's id of the customer; tokens belong to it (at most 64 characters).</summary>
    public required string UserId { get; init; }
    /// <summary>ISO 4217 currency code.</summary>
    public required string Currency { get; init; }
    /// <summary>ISO 3166 alpha-2 country code.</summary>
    public required string Country { get; init; }
    /// <summary>Amount in major units with at most the currency's minor digits.</summary>
    public decimal? TotalAmount { get; init; }
    /// <summary>SCHEDULED or UNSCHEDULED: the kind of merchant-initiated use.</summary>
    public string? MitType { get; init; }
    /// <summary>Save the card and return a paymentTokenID (default false).</summary>
    public bool? TokenForFutureUse { get; init; }
    /// <summary>Components the Drop-in session offers: ["CARD"].</summary>
    public IReadOnlyList<string>? ComponentList { get; init; }
}

/// <summary>The keys a merchant page initialises the Drop-in component with.</summary>
public sealed record ApplyDropinSessionResult
{
    /// <summary>Public key the component is initialised with.</summary>
    public required string ClientKey { get; init; }
    /// <summary>The Drop-in session; the merchant's server pays with it and the paymentToken.</summary>
    public required string SessionKey { get; init; }
}
