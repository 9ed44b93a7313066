using System.Text.Json;

namespace TokenPay.Gateway.Envelope;

/// <summary>
/// Finds the first JSON string (a name or a value) that is not text: invalid UTF-8, an escape of an
/// unpaired surrogate, or (when asked) a NUL character. Run only after a parse failed that way, so a well-formed request pays nothing for it.
/// </summary>
internal static class BrokenText
{
    /// <summary>The dotted path of the broken string (e.g. <c>data.subject</c>), or null when every string decodes.</summary>
    /// <param name="rejectNul">Also count a string holding a NUL character as broken.</param>
    public static string? Find(ReadOnlySpan<byte> json, bool rejectNul = false)
    {
        var path = new List<string>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = Decodes(ref reader) ? reader.GetString() : null;
                        if (property is null)
                        {
                            return Join(path, "(a field name)");
                        }

                        break;
                    case JsonTokenType.String when !Decodes(ref reader) || (rejectNul && reader.GetString()!.Contains('\0', StringComparison.Ordinal)):
                        return Join(path, property ?? "(a value)");
                    case JsonTokenType.StartObject:
                        if (property is not null)
                        {
                            path.Add(property);
                        }

                        property = null;
                        break;
                    case JsonTokenType.EndObject when path.Count > 0:
                        path.RemoveAt(path.Count - 1);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return Join(path, property ?? "(a value)");
        }

        return null;
    }

    private static bool Decodes(ref Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Join(List<string> path, string last) => path.Count == 0 ? last : $"{string.Join('.', path)}.{last}";
}
