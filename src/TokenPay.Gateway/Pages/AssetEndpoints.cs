using System.Collections.Frozen;
using System.Reflection;

namespace TokenPay.Gateway.Pages;

/// <summary>The gateway's own scripts, embedded in the assembly and served from memory (no external resources).</summary>
internal static class AssetEndpoints
{
    private static readonly FrozenDictionary<string, byte[]> Assets = Load();

    public static void MapAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/{name}", (string name) => Serve(name));
        // The merchant-facing Drop-in script has a stable, versioned address.
        app.MapGet("/dropin/v1/dropin.js", () => Serve("dropin.js"));
    }

    private static IResult Serve(string name) =>
        Assets.TryGetValue(name, out var bytes) ? new AssetResult(bytes) : Results.NotFound();

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
