using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TokenPay.Protocol.Json;

/// <summary>
/// The one JSON options object of the protocol. Reading tolerates what real PayerMax clients send
/// (numbers as strings, any property-name casing, unknown properties); writing is compact camelCase
/// without nulls, with non-ASCII text written as UTF-8 rather than escaped.
/// </summary>
public static class PayerMaxJson
{
    /// <summary>Shared, frozen options; never mutate.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            MaxDepth = 32,
            // "required" documents what we always send; a peer that omits a field must not make its answer unreadable.
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { NothingRequiredOnRead } },
        };
        options.Converters.Add(new LenientBooleanConverter());
        options.MakeReadOnly();
        return options;
    }

    private static void NothingRequiredOnRead(JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties)
        {
            property.IsRequired = false;
        }
    }
}

/// <summary>Reads <c>true</c>, <c>"true"</c>, <c>1</c> and <c>"1"</c> alike; writes JSON booleans.</summary>
public sealed class LenientBooleanConverter : JsonConverter<bool>
{
    /// <inheritdoc />
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Number when reader.TryGetInt32(out var number) && number is 0 or 1:
                return number == 1;
            case JsonTokenType.String:
                if (reader.ValueTextEquals("true"u8) || reader.ValueTextEquals("1"u8) || reader.ValueTextEquals("TRUE"u8) || reader.ValueTextEquals("True"u8))
                {
                    return true;
                }

                if (reader.ValueTextEquals("false"u8) || reader.ValueTextEquals("0"u8) || reader.ValueTextEquals("FALSE"u8) || reader.ValueTextEquals("False"u8))
                {
                    return false;
                }

                break;
        }

        throw new JsonException("Expected a boolean.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}

/// <summary>Reads a JSON string, or a number as its literal text (e.g. a card expiry month sent as 3).</summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException("Expected a string."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
