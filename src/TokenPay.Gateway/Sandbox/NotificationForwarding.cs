using System.Collections.Concurrent;
using System.Net;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// Where <c>tokenpay listen --forward-to</c> wants notifications copied: while a listener is connected, the
/// dispatcher also sends each notification it delivers, signed as usual, to these local URLs (sandbox only).
/// </summary>
internal sealed class NotificationForwarding
{
    private readonly ConcurrentDictionary<Guid, string> _targets = new();

    public bool Any => !_targets.IsEmpty;

    public IReadOnlyCollection<string> Targets => [.. _targets.Values.Distinct(StringComparer.Ordinal)];

    /// <summary>Null when the URL can be forwarded to; otherwise why not.</summary>
    public static string? Check(string? url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https")
            ? "forwardTo must be an absolute http(s) URL."
            : target.IsLoopback || (IPAddress.TryParse(target.Host, out var address) && IPAddress.IsLoopback(address))
                ? null
                : "forwardTo must be a loopback URL (localhost, 127.0.0.1 or [::1]): the sandbox forwards to this machine only.";

    /// <summary>Forwards to <paramref name="url"/> until the returned handle is disposed.</summary>
    public IDisposable Add(string url)
    {
        var id = Guid.NewGuid();
        _targets[id] = url;
        return new Registration(() => _targets.TryRemove(id, out _));
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
