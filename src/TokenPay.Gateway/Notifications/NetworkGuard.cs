using System.Net;
using System.Net.Sockets;

namespace TokenPay.Gateway.Notifications;

/// <summary>A notify URL refused by the SSRF guard; the reason names the address class, never request data.</summary>
internal sealed class NotifyTargetRefusedException(string reason) : Exception(reason);

/// <summary>
/// SSRF guard for notification delivery: decides on the address actually connected to (after DNS), so a
/// name that resolves to an internal address is refused as well as a literal one.
/// </summary>
internal static class NetworkGuard
{
    /// <summary>Why an address may not be connected to, or null when it may.</summary>
    public static string? Forbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "loopback";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b switch
            {
                [0, ..] => "unspecified",
                [10, ..] => "private",
                [172, >= 16 and <= 31, ..] => "private",
                [192, 168, ..] => "private",
                [100, >= 64 and <= 127, ..] => "shared (carrier-grade NAT)",
                [169, 254, 169, 254] => "cloud metadata",
                [169, 254, ..] => "link-local",
                [192, 0, 0, ..] => "reserved",
                [>= 224, ..] => "multicast or reserved",
                _ => null,
            };
        }

        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified";
        }

        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "link-local";
        }

        if (address.IsIPv6Multicast)
        {
            return "multicast";
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        return (v6[0] & 0xFE) == 0xFC ? "private (unique local)" : null;
    }

    /// <summary>A connect callback that resolves the host and connects only to permitted addresses.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(bool allowPrivateNetworks) =>
        async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            string? refusal = null;
            foreach (var address in addresses)
            {
                if (!allowPrivateNetworks && Forbidden(address) is { } reason)
                {
                    refusal = $"refused: {host} resolves to a {reason} address ({address})";
                    continue;
                }

                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw new NotifyTargetRefusedException(refusal ?? $"refused: {host} has no address");
        };
}
