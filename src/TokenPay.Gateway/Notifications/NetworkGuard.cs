using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace TokenPay.Gateway.Notifications;

/// <summary>A notify URL refused by the SSRF guard; the reason names the address class, never request data.</summary>
internal sealed class NotifyTargetRefusedException(string reason) : Exception(reason);

/// <summary>
/// SSRF guard for notification delivery: decides on the addresses a name resolves to, before any connection
/// is made, and refuses every special-purpose range of the IANA IPv4 and IPv6 registries, IPv4 addresses
/// carried inside IPv6 (mapped, compatible, NAT64, 6to4), and every address of this host itself.
/// </summary>
internal static class NetworkGuard
{
    // IANA IPv4 Special-Purpose Address Registry (RFC 6890 and successors), plus multicast and class E.
    private static readonly (IPNetwork Network, string Reason)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified (this network)"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared (carrier-grade NAT)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (cloud metadata)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignment"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation"),
        (IPNetwork.Parse("192.31.196.0/24"), "AS112"),
        (IPNetwork.Parse("192.52.193.0/24"), "AMT"),
        (IPNetwork.Parse("192.88.99.0/24"), "6to4 relay anycast"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("192.175.48.0/24"), "AS112 direct delegation"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (and broadcast)"),
    ];

    // IANA IPv6 Special-Purpose Address Registry, multicast, and the deprecated site-local range. The ranges that
    // carry an IPv4 address (::/96, ::ffff:0:0/96, 64:ff9b::/96, 2002::/16) are judged by that address instead.
    private static readonly (IPNetwork Network, string Reason)[] V6 =
    [
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local-use NAT64"),
        (IPNetwork.Parse("100::/64"), "discard-only"),
        (IPNetwork.Parse("100:0:0:1::/64"), "dummy prefix"),
        (IPNetwork.Parse("2001::/23"), "IETF protocol assignment (Teredo, benchmarking, ORCHID)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("2620:4f:8000::/48"), "AS112"),
        (IPNetwork.Parse("3fff::/20"), "documentation"),
        (IPNetwork.Parse("5f00::/16"), "segment routing"),
        (IPNetwork.Parse("fc00::/7"), "private (unique local)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Why an address may not be connected to, or null when it may.</summary>
    public static string? Forbidden(IPAddress address) => Special(address) ?? (IsThisHost(address) ? "this host's own" : null);

    /// <summary>The special-purpose range an address is in (directly or by the IPv4 address it carries), or null.</summary>
    internal static string? Special(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return Find(V4, address);
        }

        if (Embedded(address) is { } v4)
        {
            return Find(V4, v4) is { } reason ? $"{reason} (inside IPv6)" : null;
        }

        return Find(V6, address);
    }

    /// <summary>A connect callback that resolves the host and connects only to permitted addresses.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(bool allowPrivateNetworks) =>
        async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
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

    private static string? Find((IPNetwork Network, string Reason)[] ranges, IPAddress address)
    {
        foreach (var (network, reason) in ranges)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }

        return null;
    }

    // The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 (well-known prefix) or 6to4 address.
    private static IPAddress? Embedded(IPAddress v6)
    {
        Span<byte> b = stackalloc byte[16];
        v6.TryWriteBytes(b, out _);
        if (v6.IsIPv4MappedToIPv6 || Nat64.Contains(v6) || (Compatible.Contains(v6) && !v6.Equals(IPAddress.IPv6Any) && !v6.Equals(IPAddress.IPv6Loopback)))
        {
            return new IPAddress(b[12..]);
        }

        return SixToFour.Contains(v6) ? new IPAddress(b[2..6]) : null;
    }

    private static bool IsThisHost(IPAddress address)
    {
        var v4 = address.AddressFamily == AddressFamily.InterNetworkV6 && Embedded(address) is { } inner ? inner : address;
        foreach (var network in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var own in network.GetIPProperties().UnicastAddresses)
            {
                if (own.Address.Equals(address) || own.Address.Equals(v4))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
