using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary><c>orderQuery</c> data.</summary>
public sealed record OrderQueryRequest
{
    public string? OutTradeNo { get; init; }
}

/// <summary>An order as <c>orderQuery</c> and the PAYMENT notification show it.</summary>
public sealed record OrderView
{
    public required string OutTradeNo { get; init; }
    public required string TradeToken { get; init; }
    public required string Status { get; init; }
    public required decimal TotalAmount { get; init; }
    public required string Currency { get; init; }
    public required string Country { get; init; }
    public string? Reference { get; init; }
    public string? CompleteTime { get; init; }
    public string? ResultCode { get; init; }
    public string? ResultMsg { get; init; }
    public string? ChannelNo { get; init; }
    public string? ThirdChannelNo { get; init; }
    public IReadOnlyList<PaymentDetailView> PaymentDetails { get; init; } = [];
}

public sealed record PaymentDetailView
{
    public required string PaymentMethodType { get; init; }

    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    public CardInfoView? CardInfo { get; init; }
    public required decimal PayAmount { get; init; }
    public required string PayCurrency { get; init; }
}

/// <summary>What may be shown of a card: organisation, country, masked number, masked holder name.</summary>
public sealed record CardInfoView
{
    public required string CardOrg { get; init; }
    public string? Country { get; init; }
    public required string CardIdentifierNo { get; init; }
    public string? CardIdentifierName { get; init; }
}
