using System.Text.Json.Serialization;
using TokenPay.Protocol.Json;

namespace TokenPay.Protocol.Models;

/// <summary>A request as a merchant sends it: the envelope with the API's <c>data</c>.</summary>
public sealed record RequestEnvelope<TData>
{
    /// <summary>API version string (1.4 orderAndPay/orderQuery, 1.2 token APIs, 1.6 applyDropinSession).</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public required string Version { get; init; }

    /// <summary>Which of the merchant's registered keys signed the request ("1").</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public required string KeyVersion { get; init; }

    /// <summary>RFC 3339 time with offset; must be within 2 minutes of the gateway clock.</summary>
    public required string RequestTime { get; init; }

    /// <summary>The merchant application id (at most 64 characters).</summary>
    public required string AppId { get; init; }

    /// <summary>The merchant number (at most 32 characters).</summary>
    public required string MerchantNo { get; init; }

    /// <summary>The API's data.</summary>
    public required TData Data { get; init; }
}

/// <summary>Every response: <c>code</c> says whether the request was accepted; an order's state is in <c>data</c>.</summary>
public sealed record ApiResponse<TData>
{
    /// <summary>Result code: APPLY_SUCCESS when accepted, otherwise a docs/protocol.md 4 code.</summary>
    public required string Code { get; init; }

    /// <summary>Human-readable explanation of the code.</summary>
    public required string Msg { get; init; }

    /// <summary>The API's data.</summary>
    public TData? Data { get; init; }
}
