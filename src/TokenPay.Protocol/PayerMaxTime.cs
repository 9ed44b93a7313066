using System.Globalization;

namespace TokenPay.Protocol;

/// <summary>RFC 3339 timestamps as the protocol carries them (requestTime, completeTime, notifyTime, token expiry).</summary>
public static class PayerMaxTime
{
    // Offset required ("Z" or "+hh:mm"); 0 to 3 fraction digits, as PHP, Java and Go clients send them.
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.fK",
        "yyyy-MM-dd'T'HH:mm:ss.ffK",
        "yyyy-MM-dd'T'HH:mm:ss.fffK",
    ];

    /// <summary>Formats as <c>2026-11-22T07:56:20.657+00:00</c> (UTC, milliseconds).</summary>
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>Parses an RFC 3339 timestamp that carries an offset; false for anything else.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text.Length > 40)
        {
            return false;
        }

        var last = text[^1];
        var hasOffset = last is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasOffset && DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }
}
