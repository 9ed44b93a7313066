using System.Text;
using System.Text.Json;

namespace TokenPay.Gateway.Envelope;

/// <summary>The envelope fields of a request, and where its <c>data</c> object lies in the raw body.</summary>
internal readonly record struct EnvelopeHeader(
    string? Version,
    string? KeyVersion,
    string? RequestTime,
    string? AppId,
    string? MerchantNo,
    Range Data,
    bool DataIsObject,
    string? BrokenField = null);

/// <summary>
/// Reads the top level of a request in one forward pass without materialising <c>data</c>: the signature
/// must be checked before any API field is parsed, and the data bytes are then parsed exactly once.
/// </summary>
internal static class EnvelopeReader
{
    /// <summary>
    /// False when the body is not one well-formed JSON object, with <paramref name="problem"/> saying what and where
    /// (line and byte position, both from 1); a string that is not text is reported in <see cref="EnvelopeHeader.BrokenField"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out EnvelopeHeader header, out string problem)
    {
        header = default;
        problem = "";
        string? version = null, keyVersion = null, requestTime = null, appId = null, merchantNo = null;
        Range data = default;
        var dataIsObject = false;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "the body must be one JSON object, starting with '{'";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name?.ToLowerInvariant())
                {
                    case "version": version = Scalar(ref reader); break;
                    case "keyversion": keyVersion = Scalar(ref reader); break;
                    case "requesttime": requestTime = Scalar(ref reader); break;
                    case "appid": appId = Scalar(ref reader); break;
                    case "merchantno": merchantNo = Scalar(ref reader); break;
                    case "data":
                        dataIsObject = reader.TokenType == JsonTokenType.StartObject;
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        data = start..(int)reader.BytesConsumed;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            // Nothing may follow the object.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problem = $"something follows the object at byte {reader.TokenStartIndex + 1}";
                return false;
            }
        }
        catch (JsonException ex)
        {
            // Lines and positions from 1, as editors count them; the reader's text would quote the body.
            problem = $"invalid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}";
            return false;
        }
        catch (InvalidOperationException)
        {
            // Well-formed JSON, but a string that is not text (invalid UTF-8, an unpaired surrogate escape).
            header = default(EnvelopeHeader) with { BrokenField = BrokenText.Find(body) ?? "(a field)" };
            return true;
        }

        header = new EnvelopeHeader(version, keyVersion, requestTime, appId, merchantNo, data, dataIsObject);
        return true;
    }

    // Envelope fields are strings; a number (keyVersion 1) is taken as its text, anything else as absent.
    private static string? Scalar(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.StartObject or JsonTokenType.StartArray => SkipAndNull(ref reader),
        _ => null,
    };

    private static string? SkipAndNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }
}
