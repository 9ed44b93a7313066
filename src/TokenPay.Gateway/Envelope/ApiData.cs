using System.Text.Json;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;

namespace TokenPay.Gateway.Envelope;

/// <summary>Parses a verified request's <c>data</c> into an API model, naming the field when a value has the wrong shape.</summary>
internal static class ApiData
{
    /// <summary>The request's outTradeNo and userId when it names them (for traces and the sandbox's rules; not validated here).</summary>
    public static (string? OutTradeNo, string? UserId) KeysOf(ReadOnlyMemory<byte> data)
    {
        try
        {
            using var json = JsonDocument.Parse(data);
            return json.RootElement.ValueKind == JsonValueKind.Object ? (Text(json.RootElement, "outTradeNo"), Text(json.RootElement, "userId")) : (null, null);
        }
        catch (JsonException)
        {
            // The operation refuses it with a message naming the problem.
            return (null, null);
        }

        static string? Text(JsonElement data, string name) =>
            data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    public static bool TryParse<T>(VerifiedRequest request, out T data, out ApiReply error)
        where T : class
    {
        error = default;
        // No text field may hold NUL (PostgreSQL cannot store it, and no name or subject needs it); JSON can carry it only escaped.
        if (request.Data.Span.IndexOf("\\u0000"u8) >= 0 && BrokenText.Find(request.Data.Span, rejectNul: true) is { } nulField)
        {
            data = null!;
            error = ApiReply.Invalid($"{nulField} must not contain NUL characters.");
            return false;
        }

        try
        {
            data = JsonSerializer.Deserialize<T>(request.Data.Span, PayerMaxJson.Options)!;
            return true;
        }
        catch (InvalidOperationException)
        {
            // The serializer's word for a string that is not text; find which one.
            data = null!;
            error = ApiReply.Invalid($"{BrokenText.Find(request.Data.Span) ?? "data"} is not valid text: invalid UTF-8 or an unpaired surrogate escape.");
            return false;
        }
        catch (JsonException ex)
        {
            data = null!;
            var field = FieldName(ex.Path);
            error = field.EndsWith("totalAmount", StringComparison.OrdinalIgnoreCase) || field.EndsWith("refundAmount", StringComparison.OrdinalIgnoreCase)
                ? ApiReply.Error(ResultCodes.AmountInvalid, $"{field} must be a decimal number.")
                : ApiReply.Invalid($"{field} has the wrong type or format.");
            return false;
        }
    }

    // "$.paymentDetail.cardInfo.cvv" -> "paymentDetail.cardInfo.cvv"
    private static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "data" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
