using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary>
/// A notification from the platform (PROTOCOL.md 6), signed in the <c>sign</c> header over the raw body.
/// <c>data</c> is an <see cref="OrderView"/> for PAYMENT and a <see cref="TokenizationView"/> for TOKENIZATION.
/// </summary>
public sealed record Notification<TData>
{
    public required string AppId { get; init; }
    public required string MerchantNo { get; init; }
    public required string KeyVersion { get; init; }
    public required string NotifyTime { get; init; }
    public required string NotifyType { get; init; }
    public required string Code { get; init; }
    public required string Msg { get; init; }
    public required TData Data { get; init; }
}

/// <summary>The token a binding order created, as a TOKENIZATION notification carries it.</summary>
public sealed record TokenizationView
{
    public required string OutTradeNo { get; init; }

    [JsonPropertyName("paymentTokenID")]
    public required string PaymentTokenId { get; init; }

    public required string UserId { get; init; }
    public required string PaymentTokenStatus { get; init; }
    public required string PaymentTokenExpiry { get; init; }
    public required string CardInfo { get; init; }
    public required string Brand { get; init; }
    public required string PaymentMethodType { get; init; }
    public required bool MerchantInitiated { get; init; }
}

/// <summary>What a merchant answers to acknowledge a notification: HTTP 200 with <c>{"code":"SUCCESS","msg":"Success"}</c>.</summary>
public sealed record NotificationAck
{
    public const string SuccessCode = "SUCCESS";

    public required string Code { get; init; }
    public string? Msg { get; init; }
}
