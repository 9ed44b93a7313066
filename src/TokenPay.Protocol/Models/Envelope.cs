using System.Text.Json.Serialization;
using TokenPay.Protocol.Json;

namespace TokenPay.Protocol.Models;

/// <summary>A request as a merchant sends it: the envelope with the API's <c>data</c>.</summary>
public sealed record RequestEnvelope<TData>
{
    [JsonConverter(typeof(LenientStringConverter))]
    public required string Version { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public required string KeyVersion { get; init; }

    public required string RequestTime { get; init; }

    public required string AppId { get; init; }

    public required string MerchantNo { get; init; }

    public required TData Data { get; init; }
}

/// <summary>Every response: <c>code</c> says whether the request was accepted; an order's state is in <c>data</c>.</summary>
public sealed record ApiResponse<TData>
{
    public required string Code { get; init; }

    public required string Msg { get; init; }

    public TData? Data { get; init; }
}
