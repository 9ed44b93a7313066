using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// Link secrets (3DS challenge ids, cashier ids, Drop-in keys and payment tokens) never reach a log line at
/// any level, through every page flow and its refusals; refusals of signed requests are logged once at
/// Information with their code.
/// </summary>
public sealed class LinkSecretLogTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    // Every category at Trace, the framework's too: "at any level" means whatever an operator configures.
    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EveryPageFlow_NoSecretInAnyLogLine()
    {
        var secrets = new List<string>();

        // 3DS: view, pass, then the used link again.
        var challenge = (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("s"), "u1", "4000000000003220"))).DataString("redirectUrl");
        secrets.Add(LastSegment(challenge));
        (await _host.Http.GetAsync(challenge)).Dispose();
        (await _host.Http.PostAsync(challenge, new FormUrlEncodedContent([new("outcome", "pass")]))).Dispose();
        (await _host.Http.PostAsync(challenge, new FormUrlEncodedContent([new("outcome", "pass")]))).Dispose();

        // Hosted cashier with a 3DS card: the cashier link, then its challenge.
        var cashier = (await _host.Merchant.PostAsync("orderAndPay", CashierAndDropinTests.Hosted(GatewayFixture.NewId("s"), "u1", 5m))).DataString("redirectUrl");
        secrets.Add(LastSegment(cashier));
        (await _host.Http.GetAsync(cashier)).Dispose();
        using (var paid = await _host.Http.PostAsync(cashier, new FormUrlEncodedContent([new("cardIdentifierNo", "4000000000003220"), new("cardHolderFullName", "A B"), new("cardExpirationMonth", "12"), new("cardExpirationYear", "30"), new("cvv", "123")])))
        {
            var next = paid.Headers.Location!.OriginalString;
            secrets.Add(LastSegment(next));
            (await _host.Http.PostAsync(next, new FormUrlEncodedContent([new("outcome", "fail")]))).Dispose();
        }

        (await _host.Http.GetAsync(cashier)).Dispose();

        // Drop-in: session, frame, token, payment, reuse.
        var session = await _host.Merchant.PostAsync("applyDropinSession", new JsonObject { ["userId"] = "u1", ["currency"] = "USD", ["country"] = "US", ["mitType"] = "UNSCHEDULED" });
        var (clientKey, sessionKey) = (session.DataString("clientKey"), session.DataString("sessionKey"));
        secrets.AddRange([clientKey, sessionKey]);
        (await _host.Http.GetAsync($"/dropin/v1/frame?clientKey={clientKey}&sessionKey={sessionKey}&origin=http%3A%2F%2F127.0.0.1%3A1")).Dispose();
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/dropin/v1/tokens")
        {
            Content = JsonContent.Create(new { card = new { cardIdentifierNo = "4242424242424242", cardExpirationMonth = "12", cardExpirationYear = "30", cvv = "123" } }),
        };
        tokenRequest.Headers.Add("X-Dropin-Client-Key", clientKey);
        tokenRequest.Headers.Add("X-Dropin-Session-Key", sessionKey);
        using var issued = await _host.Http.SendAsync(tokenRequest);
        var paymentToken = (await issued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("paymentToken").GetString()!;
        secrets.Add(paymentToken);
        (await _host.Merchant.PostAsync("orderAndPay", CashierAndDropinTests.DropinOrder(GatewayFixture.NewId("s"), "u1", paymentToken, sessionKey))).DataString("status").ShouldBe(OrderStatuses.Success);
        (await _host.Merchant.PostAsync("orderAndPay", CashierAndDropinTests.DropinOrder(GatewayFixture.NewId("s"), "u1", paymentToken, sessionKey))).Code.ShouldBe(ResultCodes.TokenInvalid);

        var logs = _host.Logs.All;
        logs.ShouldNotBeEmpty();
        foreach (var secret in secrets)
        {
            logs.ShouldNotContain(secret, customMessage: "a link secret reached the logs");
        }

        // The refused reuse was logged once, at Information, with its code.
        _host.Logs.Lines.Count(l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains(ResultCodes.TokenInvalid, StringComparison.Ordinal)).ShouldBe(1);
    }

    [Theory]
    [InlineData("/aggregate-pay/api/gateway/orderAndPay", "application/json")]
    [InlineData("/threeds/some-id", "application/x-www-form-urlencoded")]
    [InlineData("/dropin/v1/tokens", "application/json")]
    public async Task AbortedBody_ClientFaultNotAnError(string path, string contentType)
    {
        for (var i = 0; i < 20; i++)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(_host.BaseAddress.Host, _host.BaseAddress.Port);
            var stream = client.GetStream();
            var head = $"POST {path} HTTP/1.1\r\nHost: {_host.BaseAddress.Authority}\r\nContent-Type: {contentType}\r\nContent-Length: 4000\r\nX-Dropin-Client-Key: k\r\nX-Dropin-Session-Key: s\r\n\r\n{{\"version\":";
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
            await stream.FlushAsync();
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }

        // Give the server time to notice the resets, then: nothing at Error for a client that went away.
        await Eventually.UntilAsync(() => Task.FromResult(_host.Logs.Lines.Count(l => l.Contains("client", StringComparison.OrdinalIgnoreCase) || l.Contains("abort", StringComparison.OrdinalIgnoreCase))), n => n > 0 || path != "/aggregate-pay/api/gateway/orderAndPay", "the client fault log");
        await Task.Delay(200);
        _host.Logs.Lines.ShouldNotContain(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal), _host.Problems);
    }

    private static string LastSegment(string url) => new Uri(new Uri("http://x"), url).Segments[^1];
}
