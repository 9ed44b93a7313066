using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using TokenPay.Gateway.Notifications;

namespace TokenPay.Gateway.Tests;

/// <summary>Every special-purpose range of the IANA registries, in every IPv6 form that carries IPv4, and this host's own addresses.</summary>
public sealed class NetworkGuardTests
{
    [Theory]
    // IPv4 special-purpose registry.
    [InlineData("0.0.0.0")] [InlineData("0.1.2.3")] [InlineData("10.0.0.1")] [InlineData("100.64.0.1")] [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")] [InlineData("127.255.255.254")] [InlineData("169.254.169.254")] [InlineData("172.16.0.1")] [InlineData("172.31.255.254")]
    [InlineData("192.0.0.8")] [InlineData("192.0.2.1")] [InlineData("192.31.196.1")] [InlineData("192.52.193.1")] [InlineData("192.88.99.1")]
    [InlineData("192.168.1.1")] [InlineData("192.175.48.1")] [InlineData("198.18.0.1")] [InlineData("198.19.255.254")] [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")] [InlineData("224.0.0.1")] [InlineData("239.255.255.250")] [InlineData("240.0.0.1")] [InlineData("255.255.255.255")]
    // IPv6 special-purpose registry.
    [InlineData("::1")] [InlineData("::")] [InlineData("64:ff9b:1::1")] [InlineData("100::1")] [InlineData("2001::1")] [InlineData("2001:2::1")]
    [InlineData("2001:db8::1")] [InlineData("2001:10::1")] [InlineData("2001:20::1")] [InlineData("2620:4f:8000::1")] [InlineData("3fff::1")]
    [InlineData("5f00::1")] [InlineData("fc00::1")] [InlineData("fd12:3456::1")] [InlineData("fe80::1")] [InlineData("fec0::1")] [InlineData("ff02::1")]
    // IPv4 inside IPv6: mapped, compatible, NAT64 well-known prefix, 6to4.
    [InlineData("::ffff:127.0.0.1")] [InlineData("::ffff:10.0.0.1")] [InlineData("::127.0.0.1")] [InlineData("::169.254.169.254")]
    [InlineData("64:ff9b::7f00:1")] [InlineData("64:ff9b::a9fe:a9fe")] [InlineData("2002:7f00:1::1")] [InlineData("2002:c0a8:101::1")]
    public void SpecialPurposeAddresses_Refused(string address) =>
        NetworkGuard.Forbidden(IPAddress.Parse(address)).ShouldNotBeNull(address);

    [Theory]
    [InlineData("8.8.8.8")] [InlineData("1.1.1.1")] [InlineData("2606:4700:4700::1111")] [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] [InlineData("2002:808:808::1")]
    public void PublicAddresses_Allowed(string address) =>
        NetworkGuard.Forbidden(IPAddress.Parse(address)).ShouldBeNull(address);

    [Fact]
    public void ThisHostsOwnAddresses_Refused()
    {
        var own = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address).ToList();
        own.ShouldNotBeEmpty();
        foreach (var address in own)
        {
            NetworkGuard.Forbidden(address).ShouldNotBeNull(address.ToString());
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                NetworkGuard.Forbidden(address.MapToIPv6()).ShouldNotBeNull($"{address} mapped");
            }
        }

        foreach (var address in Dns.GetHostAddresses(Dns.GetHostName()))
        {
            NetworkGuard.Forbidden(address).ShouldNotBeNull($"{Dns.GetHostName()} -> {address}");
        }
    }
}
