using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>Restarts, several dispatchers on one database, the SSRF guard and the operator command line.</summary>
public sealed class NotificationDurabilityTests : IAsyncLifetime
{
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await NotificationReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task RestartMidSchedule_NextAttemptMadeByTheNewProcess()
    {
        _receiver.Reply = n => n == 1 ? ReceiverReply.ServerError : ReceiverReply.Ack;
        var first = await GatewayHost.StartAsync();
        await PayAsync(first, GatewayFixture.NewId("r"));
        await Eventually.UntilAsync(() => first.ScalarAsync("SELECT COUNT(*) FROM notification_attempts"), c => c == 1, "first attempt");
        await first.StopAsync();

        await using var second = await GatewayHost.StartAsync(clock: first.Clock, shareDatabaseWith: first);
        second.Clock.Advance(TimeSpan.FromSeconds(30));

        await Eventually.UntilAsync(() => second.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), c => c == 1, "delivery after restart");
        _receiver.Received.Count.ShouldBe(2);
        var started = await second.ColumnAsync("SELECT started_at FROM notification_attempts ORDER BY attempt");
        (started[1] - started[0]).ShouldBe(30_000);
    }

    [Fact]
    public async Task TwoDispatchersOneDatabase_EachNotificationDeliveredExactlyOnce()
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Notifications:PollInterval"] = "00:00:00.050", ["Gateway:Notifications:BatchSize"] = "4" };
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings, clock: a.Clock, shareDatabaseWith: a);
        var orders = Enumerable.Range(0, 60).Select(i => GatewayFixture.NewId("two")).ToList();

        await Task.WhenAll(orders.Select((order, i) => PayAsync(i % 2 == 0 ? a : b, order)));
        await Eventually.UntilAsync(() => a.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), c => c == orders.Count, "all delivered");
        a.Clock.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(200);

        _receiver.Received.Select(r => r.Json.GetProperty("data").GetProperty("outTradeNo").GetString()).ShouldBe(orders, ignoreOrder: true);
        (await a.ScalarAsync("SELECT COUNT(*) FROM notification_attempts")).ShouldBe(orders.Count);
    }

    [Fact]
    public async Task ExpiredLease_RowsOfACrashedDispatcherArePickedUp()
    {
        await using var host = await GatewayHost.StartAsync();
        _receiver.Reply = _ => ReceiverReply.NoAnswer;
        await PayAsync(host, GatewayFixture.NewId("crash"));
        await _receiver.WaitForAsync(1);
        _receiver.Reply = _ => ReceiverReply.Ack;

        host.Clock.Advance(TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notification_attempts"), c => c == 1, "timeout recorded");
        // Simulate a dispatcher that died holding the lease: another owner's lease, valid 2 minutes past the retry.
        await ExecuteAsync(host, "UPDATE notifications SET lease_owner = 'dead-dispatcher', lease_expires_at = next_attempt_at + 120000");
        host.Clock.Advance(TimeSpan.FromSeconds(20));
        await Task.Delay(100);
        _receiver.Received.Count.ShouldBe(1, "a live lease is respected");

        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), c => c == 1, "pick-up after the lease expired");
    }

    [Theory]
    [InlineData("{receiver}", "loopback")]
    [InlineData("http://localhost:9/notify", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data", "cloud metadata")]
    [InlineData("http://10.1.2.3/notify", "private")]
    [InlineData("http://[::1]:9/notify", "loopback")]
    [InlineData("http://192.0.2.10/notify", "documentation")]
    [InlineData("http://198.18.0.1/notify", "benchmarking")]
    [InlineData("http://198.51.100.1/notify", "documentation")]
    [InlineData("http://203.0.113.1/notify", "documentation")]
    [InlineData("http://[::127.0.0.1]:9/notify", "loopback (inside IPv6)")]
    [InlineData("http://[::ffff:127.0.0.1]:9/notify", "loopback (inside IPv6)")]
    [InlineData("http://[64:ff9b::7f00:1]:9/notify", "loopback (inside IPv6)")]
    [InlineData("http://[2002:7f00:1::1]:9/notify", "loopback (inside IPv6)")]
    [InlineData("http://{hostname}:9/notify", "")]
    [InlineData("http://{own-address}:9/notify", "")]
    public async Task SsrfTargets_RefusedAndRecordedAsFailedAttempts(string url, string reason)
    {
        // The guard decides on the resolved addresses before any socket is made: nothing leaves 127.0.0.1.
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a)) ?? System.Net.IPAddress.Loopback;
        url = url.Replace("{hostname}", System.Net.Dns.GetHostName(), StringComparison.Ordinal).Replace("{own-address}", own.ToString(), StringComparison.Ordinal);
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Notifications:AllowPrivateNetworks"] = "false" });
        var data = OrderRequests.Card(GatewayFixture.NewId("ssrf"), "u1");
        data["notifyUrl"] = url.Replace("{receiver}", _receiver.Url, StringComparison.Ordinal);
        (await host.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ApplySuccess);

        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notification_attempts"), c => c == 1, "refused attempt");

        (await host.ScalarAsync($"SELECT COUNT(*) FROM notification_attempts WHERE error LIKE 'refused:%{reason}%'")).ShouldBe(1);
        (await host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Pending'")).ShouldBe(1, "a refusal is a failed attempt, not a dropped notification");
        _receiver.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task CommandLineResend_MarksFailedNotificationPendingAgain()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Notifications:Schedule:0"] = "00:00:00" });
        _receiver.Reply = _ => ReceiverReply.ServerError;
        await PayAsync(host, GatewayFixture.NewId("cli"));
        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Failed'"), c => c == 1, "failure");
        var id = await host.ScalarAsync("SELECT id FROM notifications");
        var output = new StringWriter();

        var exit = await TokenPay.Gateway.Admin.GatewayCommands.TryRunAsync(
            ["notifications", "resend", id.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Storage(host)], output);

        exit.ShouldBe(0);
        output.ToString().ShouldContain($"Notification {id}");
        (await host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Pending'")).ShouldBe(1);
    }

    [Fact]
    public async Task CommandLineAttempts_ListsEachAttempt_AndAnUnknownIdIsNotFound()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Notifications:Schedule:0"] = "00:00:00" });
        _receiver.Reply = _ => ReceiverReply.ServerError;
        await PayAsync(host, GatewayFixture.NewId("cli"));
        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Failed'"), c => c == 1, "failure");
        var id = await host.ScalarAsync("SELECT id FROM notifications");
        var found = new StringWriter();
        var unknown = new StringWriter();

        var foundExit = await TokenPay.Gateway.Admin.GatewayCommands.TryRunAsync(["notifications", "attempts", id.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Storage(host)], found);
        var unknownExit = await TokenPay.Gateway.Admin.GatewayCommands.TryRunAsync(["notifications", "attempts", (id + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), .. Storage(host)], unknown);

        foundExit.ShouldBe(0, found.ToString());
        found.ToString().ShouldContain("\n1\t");
        unknownExit.ShouldBe(1, unknown.ToString());
        unknown.ToString().ShouldBe($"No notification {id + 1000}.{Environment.NewLine}");
    }

    private static string[] Storage(GatewayHost host) =>
        [$"--Gateway:Storage:Provider={(GatewayHost.OnPostgres ? "Postgres" : "Sqlite")}", $"--Gateway:Storage:ConnectionString={host.ConnectionString}"];

    private async Task PayAsync(GatewayHost host, string order)
    {
        var data = OrderRequests.Card(order, "u1");
        data["notifyUrl"] = _receiver.Url;
        (await host.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ApplySuccess);
    }

    private static Task ExecuteAsync(GatewayHost host, string sql) => host.ScalarAsync(sql);
}
