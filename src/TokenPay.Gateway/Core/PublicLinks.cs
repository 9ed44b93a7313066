using Microsoft.Extensions.Options;

namespace TokenPay.Gateway.Core;

/// <summary>
/// Absolute links handed to browsers: <c>Gateway:PublicBaseUrl</c> when set, else the request's own origin,
/// which is trusted only because the gateway then serves loopback hosts alone (or the configured AllowedHosts).
/// </summary>
public sealed partial class PublicLinks(IOptions<GatewayOptions> options)
{
    /// <summary>A path as it may be written down: the link secret after /threeds/ and /cashier/ is elided.</summary>
    public static string RedactSecrets(string? path) => LinkSecret().Replace(path ?? "/", "$1…");

    [System.Text.RegularExpressions.GeneratedRegex("^(/(?:threeds|cashier)/)[^/]+")]
    private static partial System.Text.RegularExpressions.Regex LinkSecret();

    private readonly string? _configured = options.Value.PublicBaseUrl?.TrimEnd('/');

    public string Challenge(HttpRequest request, string challengeId) => $"{Base(request)}/threeds/{challengeId}";

    public string Cashier(HttpRequest request, string cashierId) => $"{Base(request)}/cashier/{cashierId}";

    public string Base(HttpRequest request) => _configured ?? $"{request.Scheme}://{request.Host}{request.PathBase}";

    /// <summary>True for <c>localhost</c> and loopback addresses (127.0.0.0/8, ::1), with or without a port.</summary>
    public static bool IsLoopbackHost(HostString host) =>
        string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    /// <summary>True when a URL can go into a Location header as it is: printable ASCII, no spaces or controls.</summary>
    public static bool IsRedirectable(string url) => url.Length > 0 && url.All(c => c is > ' ' and < '\x7f');

}
