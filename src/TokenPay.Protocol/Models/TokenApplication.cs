using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary><c>applyPaymentToken</c> data: save a card for later without a payment (the card is verified, 3DS when the issuer asks).</summary>
public sealed record ApplyPaymentTokenRequest
{
    /// <summary>The merchant's number of this request: letters, digits and '_', at most 64, unique per merchant case-insensitively.</summary>
    public required string RequestId { get; init; }
    /// <summary>The merchant's id of the customer; the token belongs to it (at most 64 characters).</summary>
    public required string UserId { get; init; }
    /// <summary>ISO 3166 alpha-2 country code.</summary>
    public required string Country { get; init; }
    /// <summary>CARD, the only method; the .NET client sends it when this is null.</summary>
    public string? PaymentMethodType { get; init; }
    /// <summary>tokenAcq, PayerMax's fixed value; the .NET client sends it when this is null.</summary>
    public string? TokenScope { get; init; }
    /// <summary>SCHEDULE or UNSCHEDULE (orderAndPay's SCHEDULED / UNSCHEDULED are read too); absent: a token for customer-present use only.</summary>
    public string? MitType { get; init; }
    /// <summary>The card, with its <see cref="CardInfo.CardOrg"/>.</summary>
    public required CardInfo CardInfo { get; init; }
    /// <summary>Where the browser returns after a 3DS challenge.</summary>
    public required string FrontCallbackUrl { get; init; }
    /// <summary>The customer's device.</summary>
    public EnvInfo? EnvInfo { get; init; }
}

/// <summary>The customer's device and browser, as applyPaymentToken carries them.</summary>
public sealed record EnvInfo
{
    /// <summary>The browser's user agent.</summary>
    public string? UserAgent { get; init; }
    /// <summary>The customer's IP address.</summary>
    public string? ClientIp { get; init; }
    /// <summary>WEB, WAP or APP.</summary>
    public string? TerminalType { get; init; }
    /// <summary>ANDROID or IOS.</summary>
    public string? OsType { get; init; }
}

/// <summary><c>InquireApplyRequest</c> data.</summary>
public sealed record InquireApplyRequestRequest
{
    /// <summary>The customer the request was made for.</summary>
    public required string UserId { get; init; }
    /// <summary>The merchant's number of the request.</summary>
    public required string RequestId { get; init; }
}

/// <summary>A token application as applyPaymentToken and InquireApplyRequest answer it.</summary>
public sealed record TokenApplicationResult
{
    /// <summary>The merchant's number of the request.</summary>
    public required string RequestId { get; init; }
    /// <summary>SUCCESS (saved), FAILED, or PENDING (the customer must pass 3DS at <see cref="RedirectUrl"/>).</summary>
    public required string Status { get; init; }

    /// <summary>The saved card's token, once SUCCESS.</summary>
    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    /// <summary>The 3DS page, while PENDING.</summary>
    public string? RedirectUrl { get; init; }
    /// <summary>Why it failed (a card outcome code); TokenPay's addition.</summary>
    public string? ResultCode { get; init; }
    /// <summary>The explanation of a failure; TokenPay's addition.</summary>
    public string? ResultMsg { get; init; }
}
