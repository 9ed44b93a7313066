using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// The sandbox clock (docs/sandbox.md): moving it runs everything due on the way, at each due moment. The host's
/// fake clock stands still underneath, so every time recorded is exact.
/// </summary>
public sealed class SandboxClockTests : IAsyncLifetime
{
    private static readonly long[] PayerMaxOffsetsMs = [0, 30_000, 300_000, 600_000, 3_600_000, 43_200_000];

    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Sandbox:Enabled"] = "true",
            ["Gateway:Merchants:0:TokenizationNotifications"] = "true",
        });
        _receiver = await NotificationReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Moving12Hours_DeliversAllSixAttemptsAtTheirOffsets()
    {
        _receiver.Reply = _ => ReceiverReply.ServerError;
        var order = GatewayFixture.NewId("clk");
        var data = OrderRequests.Card(order, "u_clock");
        data["notifyUrl"] = _receiver.Url;
        (await _host.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ApplySuccess);
        await Eventually.UntilAsync(() => _host.ScalarAsync(CountAttempts(order)), n => n == 1, "the first attempt");

        var moved = await MoveAsync(new { advance = "12:00:00" });

        moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        var started = await _host.ColumnAsync($"SELECT a.started_at FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}' ORDER BY a.attempt");
        started.Select(t => t - started[0]).ShouldBe(PayerMaxOffsetsMs);
        (await _host.TextColumnAsync($"SELECT n.status FROM notifications n JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}'")).ShouldBe(["Failed"]);
        _receiver.Received.Count.ShouldBe(6);
        var answer = await moved.Content.ReadFromJsonAsync<JsonElement>();
        // Stops at 30 s, 5 min, 10 min and 1 h, then at the target (12 h). Which loop sent an attempt (the move's
        // or the dispatcher's own) may vary; when it was sent may not.
        answer.GetProperty("stops").GetInt32().ShouldBe(5);
        answer.GetProperty("to").GetDateTimeOffset().ShouldBe(GatewayHost.Epoch + TimeSpan.FromHours(12));
    }

    [Fact]
    public async Task MovingPastAnOrdersExpiry_ClosesItAndTheMerchantsOwnRequestsStayOnTime()
    {
        var order = GatewayFixture.NewId("exp");
        var data = OrderRequests.Card(order, "u_expiry", subject: "PENDING");
        data["expireTime"] = "1800";
        (await _host.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ApplySuccess);

        (await MoveAsync(new { advance = "00:31:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The test merchant signs with the host's clock (the wall clock under the sandbox's): still accepted.
        var query = await _host.Merchant.QueryAsync(order);
        query.Code.ShouldBe(ResultCodes.ApplySuccess);
        query.DataString("status").ShouldBe(OrderStatuses.Closed);
    }

    [Fact]
    public async Task MovingPastARefundsCheckTime_SettlesItThenNotAtTheEnd()
    {
        var order = GatewayFixture.NewId("rfclk");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u_refund"))).DataString("status").ShouldBe(OrderStatuses.Success);
        var refund = await _host.Merchant.PostAsync("refund", new System.Text.Json.Nodes.JsonObject
        {
            ["outRefundNo"] = "rf_clock", ["refundAmount"] = 10m, ["refundCurrency"] = "USD", ["outTradeNo"] = order, ["comments"] = "REFUND_PENDING",
        });
        refund.DataString("status").ShouldBe(RefundStatuses.Pending);

        (await MoveAsync(new { advance = "2.00:00:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The sandbox acquirer settles a REFUND_PENDING refund 24 hours on; the move stops there and asks.
        (await _host.ColumnAsync("SELECT completed_at - created_at FROM refunds WHERE out_refund_no = 'rf_clock'")).ShouldBe([(long)TimeSpan.FromHours(24).TotalMilliseconds]);
    }

    [Fact]
    public async Task MovingPastACardsExpiry_EndsItsTokenAtTheExpiry()
    {
        await using var receiver = await NotificationReceiver.StartAsync();
        var data = OrderRequests.Bind(GatewayFixture.NewId("tokexp"), "u_token_expiry");
        data["notifyUrl"] = receiver.Url;
        var card = data["paymentDetail"]!["cardInfo"]!;
        card["cardExpirationMonth"] = "12";
        card["cardExpirationYear"] = "26";
        (await _host.Merchant.PostAsync("orderAndPay", data)).DataString("status").ShouldBe(OrderStatuses.Success);

        (await MoveAsync(new { to = "2027-01-10T00:00:00Z" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Valid through December 2026: expired (and its merchant told) the moment the month ends, not at the move's end.
        (await _host.ColumnAsync("SELECT created_at FROM notifications WHERE subject LIKE 'token:%:Expired:%'"))
            .ShouldBe([new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()]);
    }

    [Fact]
    public async Task MovingPastTheAccountUpdatersCheck_FindsTheIssuersChangeAtTheFirstDailyCheckAfterIt()
    {
        var bind = GatewayFixture.NewId("acu");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(bind, "u_updater", pan: "4000000000001117"))).DataString("status").ShouldBe(OrderStatuses.Success);

        (await MoveAsync(new { advance = "10.00:00:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The issuer reissues the card 7 days on; the daily check after that (not the move's end, 10 days on) finds it.
        var found = (await _host.ColumnAsync("SELECT card_updated_at - created_at FROM payment_tokens WHERE user_id = 'u_updater'")).ShouldHaveSingleItem();
        found.ShouldBeInRange((long)TimeSpan.FromDays(7).TotalMilliseconds, (long)TimeSpan.FromDays(8).TotalMilliseconds);
    }

    [Theory]
    [InlineData("""{"advance":"-01:00:00"}""", "advance")]
    [InlineData("""{"advance":"soon"}""", "advance")]
    [InlineData("""{"advance":"400.00:00:00"}""", "advance")]
    [InlineData("""{"to":"2020-01-01T00:00:00Z"}""", "to")]
    [InlineData("""{"to":"2027-01-01T00:00:00"}""", "to")]
    [InlineData("""{"advance":"01:00:00","to":"2027-01-01T00:00:00Z"}""", "exactly one")]
    [InlineData("""{}""", "exactly one")]
    [InlineData("""[1]""", "object")]
    [InlineData("""not json""", "JSON")]
    public async Task BadMoves_AreRefusedNamingTheFieldAndTheClockStays(string body, string named)
    {
        using var answer = await _host.Http.PostAsync("/sandbox/clock", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!.ShouldContain(named);
        (await _host.Http.GetFromJsonAsync<JsonElement>("/sandbox/clock")).GetProperty("offset").GetString().ShouldBe("00:00:00");
    }

    [Fact]
    public async Task Listening_ForwardsEachNotificationSignedToTheLocalUrl_AndReportsItsAnswer()
    {
        await using var local = await NotificationReceiver.StartAsync();
        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await _host.Http.GetStreamAsync($"/sandbox/listen?forwardTo={Uri.EscapeDataString(local.Url)}", listening.Token);
        using var events = new StreamReader(stream);
        var order = GatewayFixture.NewId("fwd");
        var data = OrderRequests.Card(order, "u_listen");
        data["notifyUrl"] = _receiver.Url;
        (await _host.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ApplySuccess);

        var forwarded = (await local.WaitForAsync(1)).Single();
        string? line;
        do
        {
            line = await events.ReadLineAsync(listening.Token);
        }
        while (line is not null && !(line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("notification.forwarded", StringComparison.Ordinal)));

        TokenPay.Protocol.Signing.PayerMaxSignature.Verify(_host.PlatformPublicKey, forwarded.Body, forwarded.Sign).ShouldBeTrue();
        forwarded.Json.GetProperty("data").GetProperty("outTradeNo").GetString().ShouldBe(order);
        line.ShouldNotBeNull().ShouldContain(order);
        (await _receiver.WaitForAsync(1)).ShouldHaveSingleItem("the merchant's own delivery goes on as usual");
    }

    [Theory]
    [InlineData("http://203.0.113.7/hook")]
    [InlineData("ftp://127.0.0.1/hook")]
    [InlineData("not a url")]
    public async Task ListeningWithAForwardUrlOffThisMachine_IsRefused(string url)
    {
        using var answer = await _host.Http.GetAsync($"/sandbox/listen?forwardTo={Uri.EscapeDataString(url)}");

        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!.ShouldContain("forwardTo");
    }

    [Fact]
    public async Task WithoutSandboxMode_TheClockDoesNotExist()
    {
        await using var production = await GatewayHost.StartAsync();

        using var answer = await production.Http.PostAsJsonAsync("/sandbox/clock", new { advance = "01:00:00" });

        answer.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private Task<HttpResponseMessage> MoveAsync(object body) => _host.Http.PostAsJsonAsync("/sandbox/clock", body);

    private static string CountAttempts(string order) =>
        $"SELECT COUNT(*) FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}'";
}
