using TokenPay.Gateway.Core;

namespace TokenPay.Gateway.Envelope;

/// <summary>The field checks every API shares; each refusal names the field.</summary>
internal static class FieldRules
{
    public static ApiReply? Required(string? value, string field, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? ApiReply.Invalid($"{field} is required.") : Optional(value, field, maxLength);

    public static ApiReply? Optional(string? value, string field, int maxLength) =>
        value is not null && value.Length > maxLength ? ApiReply.Invalid($"{field} must be at most {maxLength} characters.") : null;

    /// <summary>A merchant's number (outTradeNo, outRefundNo): required, letters, digits and '_' only.</summary>
    public static ApiReply? MerchantNumber(string? value, string field) =>
        Required(value, field, 64) ?? (value!.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? null : ApiReply.Invalid($"{field} may contain only letters, digits and '_'."));

    public static ApiReply? Url(string? value, string field, int maxLength)
    {
        if (value is null) return null;
        if (value.Length > maxLength) return ApiReply.Invalid($"{field} must be at most {maxLength} characters.");
        // A browser is redirected to it (a Location header) and notifications are sent to it: printable ASCII only.
        if (!PublicLinks.IsRedirectable(value)) return ApiReply.Invalid($"{field} must be printable ASCII without spaces: percent-encode other characters.");
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? null
            : ApiReply.Invalid($"{field} must be an absolute http(s) URL.");
    }
}
