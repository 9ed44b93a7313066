namespace TokenPay.Protocol.Models;

/// <summary><c>applyDropinSession</c> data (v1.6). <c>mitType</c> accepts PayerMax's spelling <c>UNSCHDULED</c>.</summary>
public sealed record ApplyDropinSessionRequest
{
    public string? UserId { get; init; }
    public string? Currency { get; init; }
    public string? Country { get; init; }
    public decimal? TotalAmount { get; init; }
    public string? MitType { get; init; }
    public bool? TokenForFutureUse { get; init; }
    public IReadOnlyList<string>? ComponentList { get; init; }
}

/// <summary>The keys a merchant page initialises the Drop-in component with.</summary>
public sealed record ApplyDropinSessionResult
{
    public required string ClientKey { get; init; }
    public required string SessionKey { get; init; }
}
