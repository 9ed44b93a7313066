using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Hosting;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// The admin endpoints without a key serve only the operator on this machine (not a DNS-rebound name, not a
/// page in a local browser), and links handed to browsers never come from an attacker's Host header.
/// </summary>
public sealed class OperatorSurfaceTests
{
    [Fact]
    public async Task HealthEndpoints_LiveAndReadyWithTheDatabase()
    {
        await using var gateway = await GatewayHost.StartAsync();
        foreach (var path in (string[])["/healthz", "/readyz"])
        {
            using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));
            (response.StatusCode, await response.Content.ReadAsStringAsync()).ShouldBe((HttpStatusCode.OK, "Healthy"), path);
        }
    }

    [Theory]
    [InlineData("evil.example", null, null)]
    [InlineData("evil.example:5080", null, null)]
    [InlineData(null, "http://evil.example", null)]
    [InlineData(null, "null", null)]
    [InlineData(null, null, "cross-site")]
    [InlineData(null, null, "same-site")]
    public async Task AdminWithoutKey_RefusesRebindingAndCrossOrigin(string? host, string? origin, string? fetchSite)
    {
        // PublicBaseUrl set, so the Host header reaches the admin guard itself.
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:PublicBaseUrl"] = "https://pay.example" });
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/admin/notifications"), (HttpMethod.Post, "/admin/notifications/1/resend") })
        {
            using var request = new HttpRequestMessage(method, path);
            if (host is not null) request.Headers.Host = host;
            if (origin is not null) request.Headers.Add("Origin", origin);
            if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);

            using var response = await gateway.Http.SendAsync(request);

            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {path}");
        }

        using var local = await gateway.Http.GetAsync("/admin/notifications");
        local.StatusCode.ShouldBe(HttpStatusCode.OK, "the operator on this machine");
    }

    [Fact]
    public async Task EventStream_AReconnectingReaderResumesAfterItsLastEventId_NotItsUrlsAfter()
    {
        await using var gateway = await GatewayHost.StartAsync();
        var events = gateway.App.Services.GetRequiredService<GatewayEvents>();
        foreach (var n in (int[])[1, 2, 3])
        {
            events.Publish("test.marker", $"marker {n}");
        }

        // What EventSource sends when it reconnects: the URL it started with, and the id of the last event it got.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/events?after=0");
        request.Headers.Add("Last-Event-ID", "2");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The first event with an id (the "ready" event has none).
        var line = await reader.ReadLineAsync(timeout.Token);
        while (line is not null && !line.StartsWith("id:", StringComparison.Ordinal))
        {
            line = await reader.ReadLineAsync(timeout.Token);
        }

        line.ShouldBe("id: 3");
    }

    [Fact]
    public async Task WithoutPublicBaseUrl_ForeignHostIsRefusedAndNoLinkIsMade()
    {
        await using var gateway = await GatewayHost.StartAsync();

        using var response = await ChallengeOrderForHostAsync(gateway, "evil.example");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        text.ShouldContain("Gateway:PublicBaseUrl");
        text.ShouldNotContain("evil.example");
        (await gateway.ScalarAsync("SELECT COUNT(*) FROM orders")).ShouldBe(0);
    }

    [Fact]
    public async Task WithPublicBaseUrl_LinksUseItWhateverTheHost()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:PublicBaseUrl"] = "https://pay.example" });

        using var response = await ChallengeOrderForHostAsync(gateway, "evil.example");

        (await response.Content.ReadAsStringAsync()).ShouldContain("\"redirectUrl\":\"https://pay.example/threeds/");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    // A signed orderAndPay for a 3DS card (whose answer carries a link), sent with the given Host header.
    private static async Task<HttpResponseMessage> ChallengeOrderForHostAsync(GatewayHost gateway, string host)
    {
        var body = gateway.Merchant.Envelope(OrderRequests.Card(GatewayFixture.NewId("host"), "u1", "4000000000003220"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/aggregate-pay/api/gateway/orderAndPay") { Content = new ByteArrayContent(body) };
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("sign", gateway.Merchant.Sign(body));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return await gateway.Http.SendAsync(request);
    }
}
