using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TokenPay.Gateway.Pages;

/// <summary>
/// The gateway's own pages and scripts: the home page, the favicon and the scripts, embedded in the assembly and
/// served from memory (no external resources).
/// </summary>
internal static class PagesApi
{
    private static readonly FrozenDictionary<string, byte[]> Assets = Load();

    public static IEndpointRouteBuilder MapPagesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/{name}", (string name) => Serve(name));
        // The merchant-facing Drop-in script has a stable, versioned address.
        app.MapGet("/dropin/v1/dropin.js", () => Serve("dropin.js"));
        app.MapGet("/favicon.ico", () => TypedResults.Text(Favicon, "image/svg+xml"));
        app.MapGet("/", HomeAsync);
        return app;
    }

    // A padlock on blue: the gateway's pages (3DS, cashier, Drop-in) are where card data is entered.
    private const string Favicon = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f4fa3"/><rect x="9" y="14" width="14" height="11" rx="2" fill="#fff"/><path d="M12 14v-3a4 4 0 0 1 8 0v3" stroke="#fff" stroke-width="2.5" fill="none"/></svg>""";

    /// <summary>What this server is, for a person who opens it in a browser: every API, the API reference and the console.</summary>
    private static Task HomeAsync(HttpContext http)
    {
        var basePath = HtmlPage.Encode(http.Request.PathBase);
        var operations = string.Concat(Envelope.GatewayApi.OperationNames.Select(name => $"<li><code>{name}</code></li>"));
        return HtmlPage.WriteAsync(http, StatusCodes.Status200OK, "TokenPay gateway", $"""
            <h1>TokenPay gateway</h1>
            <p>A card payment gateway that speaks PayerMax's signed JSON protocol: payments, saved cards (tokens),
            merchant-initiated charges, 3-D Secure, the hosted cashier and Drop-in.</p>
            <p>API: <code>POST {basePath}/aggregate-pay/api/gateway/</code> followed by one of these, each signed with SHA256withRSA in the <code>sign</code> header:</p>
            <ul>{operations}</ul>
            <p><a href="{basePath}/docs">API reference</a> (every operation, its fields and answers) &middot;
            <a href="{basePath}/admin/console/">Operator console</a> (orders, notifications, the event log) &middot;
            <a href="{basePath}/platform-public-key">Platform public key</a> (verify answers and notifications with it) &middot; <a href="{basePath}/healthz">Health</a></p>
            <p class="muted">The contract is docs/protocol.md in the TokenPay repository; README.md shows a whole payment with openssl and curl.</p>
            """);
    }

    // A bare 404 status, not NotFound: that one would add a response to the OpenAPI document.
    private static Results<AssetResult, StatusCodeHttpResult> Serve(string name) =>
        Assets.TryGetValue(name, out var bytes) ? new AssetResult(bytes) : TypedResults.StatusCode(StatusCodes.Status404NotFound);

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("assets/", StringComparison.Ordinal))
            .ToFrozenDictionary(n => n["assets/".Length..], n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }, StringComparer.Ordinal);
    }

    private sealed class AssetResult(byte[] bytes) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "text/javascript; charset=utf-8";
            http.Response.Headers.CacheControl = "public, max-age=300";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            // Merchant pages on other origins load dropin.js.
            http.Response.Headers["Cross-Origin-Resource-Policy"] = "cross-origin";
            return http.Response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
        }
    }
}
