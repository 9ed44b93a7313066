using System.Text;
using System.Text.Encodings.Web;
using TokenPay.Gateway.Core;

namespace TokenPay.Gateway.Pages;

/// <summary>
/// Server-rendered pages: plain HTML, inline CSS, nothing loaded from elsewhere, and the security headers
/// every gateway page sends (no framing, no caching, no scripts unless a page allows its own).
/// </summary>
internal static class HtmlPage
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1f24}
        main{max-width:28rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}
        h1{font-size:1.3rem;margin-top:0}.amount{font-size:1.6rem;font-weight:600}
        .muted{color:#5b6170;font-size:.9rem}.row{display:flex;gap:.75rem;margin-top:1.25rem;align-items:flex-end}
        button{flex:1;font-size:1rem;padding:.8rem;border:0;border-radius:8px;cursor:pointer}
        .pass{background:#1a7f37;color:#fff}.fail{background:#c62828;color:#fff}
        label{display:block;margin-top:.8rem;font-size:.9rem}input,select{width:100%;box-sizing:border-box;font-size:1rem;padding:.6rem;margin-top:.25rem;border:1px solid #b8bcc6;border-radius:6px}
        .error{color:#c62828;font-size:.9rem;margin-top:.25rem}.notice{background:#eef4ff;border-radius:8px;padding:.75rem;font-size:.9rem;margin-top:1rem}
        """;

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    /// <param name="scripts">Gateway assets the page runs (e.g. <c>card-form.js</c>); pages run no other script.</param>
    /// <param name="frameAncestors">Who may frame the page: nobody, except the Drop-in frame inside its merchant's page.</param>
    /// <remarks>No form-action directive: browsers apply it to the redirect back to the merchant after a form post.</remarks>
    /// <param name="style">More CSS for this page (the console's wide layout).</param>
    /// <param name="bodyAttributes">Attributes of the body element, already encoded (data the page's script reads).</param>
    public static Task WriteAsync(HttpContext http, int statusCode, string title, string bodyHtml, string[]? scripts = null, string frameAncestors = "'none'", string? style = null, string? bodyAttributes = null)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'unsafe-inline'; script-src {(scripts is null ? "'none'" : "'self'")}; connect-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors {frameAncestors}";
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (frameAncestors == "'none'")
        {
            headers.XFrameOptions = "DENY";
        }
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/html; charset=utf-8";

        var html = new StringBuilder(2048)
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" href=\"/favicon.ico\" type=\"image/svg+xml\">")
            .Append("<title>").Append(Encode(title)).Append("</title><style>").Append(Style).Append(style).Append("</style></head><body").Append(bodyAttributes is null ? "" : " " + bodyAttributes).Append("><main>")
            .Append(bodyHtml)
            .Append("</main>")
            .AppendJoin("", (scripts ?? []).Select(name => $"<script src=\"/assets/{Encode(name)}\"></script>"))
            .Append("</body></html>")
            .ToString();
        return http.Response.WriteAsync(html, http.RequestAborted);
    }

    /// <summary>Ends a browser flow (3DS, cashier): back to the merchant's frontCallbackUrl, or a page saying how it ended.</summary>
    public static Task ReturnToMerchantAsync(HttpContext http, string? frontCallbackUrl, bool succeeded)
    {
        // Checked at orderAndPay; an older row that would not fit a Location header gets the page instead.
        if (frontCallbackUrl is not null && PublicLinks.IsRedirectable(frontCallbackUrl))
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Redirect(frontCallbackUrl);
            return Task.CompletedTask;
        }

        return succeeded
            ? MessageAsync(http, StatusCodes.Status200OK, "Payment complete", "The payment is complete. You can close this page.")
            : MessageAsync(http, StatusCodes.Status200OK, "Payment not completed", "The payment was not completed. You can close this page.");
    }

    public static Task MessageAsync(HttpContext http, int statusCode, string title, string message) =>
        WriteAsync(http, statusCode, title, $"<h1>{Encode(title)}</h1><p>{Encode(message)}</p>");
}
