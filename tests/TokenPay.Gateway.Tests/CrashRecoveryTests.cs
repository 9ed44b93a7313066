using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// A gateway that dies between the acquirer's decision and its own commit leaves a PENDING order; after a
/// restart the order is settled within RecoverAfter by asking the acquirer, with the notification it owes,
/// exactly as if nothing had happened. Only an order the acquirer never saw is closed.
/// </summary>
public sealed class CrashRecoveryTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Gateway:Orders:RecoverAfter"] = "00:01:00",
        ["Gateway:Orders:ExpirySweepInterval"] = "00:00:10",
        ["Gateway:Notifications:Enabled"] = "false",
    };

    [Theory]
    [InlineData("4444333322221111", OrderStatuses.Success)]
    [InlineData("4000000000009995", OrderStatuses.Failed)]
    public async Task DiedAfterTheAcquirerDecided_RestartSettlesTheDecision(string pan, string expected)
    {
        await using var dead = await GatewayHost.StartAsync(Settings, services: WrappedAcquirer.Install(_ => new AcquirerStep(Crash: CrashPoint.AfterDecision)));
        var order = GatewayFixture.NewId("crash");
        var data = OrderRequests.Bind(order, "crash_user", pan);
        data["notifyUrl"] = "https://merchant.example/notify";
        (await dead.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.SystemError);
        await dead.StopAsync();

        await using var restarted = await GatewayHost.StartAsync(Settings, dead.Clock, shareDatabaseWith: dead);
        (await restarted.Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Pending, "not yet RecoverAfter");
        (await restarted.Merchant.PostAsync("orderAndPay", data.DeepClone())).Code.ShouldBe(ResultCodes.OrderRepeat);

        restarted.Clock.Advance(TimeSpan.FromSeconds(70));
        var settled = await Eventually.UntilAsync(() => restarted.Merchant.QueryAsync(order), a => a.DataString("status") != OrderStatuses.Pending, "recovery");

        settled.DataString("status").ShouldBe(expected);
        (await restarted.ScalarAsync($"SELECT COUNT(*) FROM notifications n JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}' AND n.notify_type = 'PAYMENT'")).ShouldBe(1);
        var tokens = (await restarted.Merchant.InquireTokensAsync("crash_user")).Data.GetProperty("tokenList");
        tokens.GetArrayLength().ShouldBe(expected == OrderStatuses.Success ? 1 : 0, "a recovered binding saves the card as the answer would have");
        if (expected == OrderStatuses.Success)
        {
            settled.Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString().ShouldBe(tokens[0].GetProperty("paymentTokenID").GetString());
        }
    }

    [Fact]
    public async Task DiedBeforeTheAcquirerHeard_OrderClosedAfterRecoverAfter()
    {
        await using var dead = await GatewayHost.StartAsync(Settings, services: WrappedAcquirer.Install(_ => new AcquirerStep(Crash: CrashPoint.BeforeDecision)));
        var order = GatewayFixture.NewId("unsent");
        (await dead.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "crash_user"))).Code.ShouldBe(ResultCodes.SystemError);
        await dead.StopAsync();

        await using var restarted = await GatewayHost.StartAsync(Settings, dead.Clock, shareDatabaseWith: dead);
        restarted.Clock.Advance(TimeSpan.FromSeconds(70));
        var settled = await Eventually.UntilAsync(() => restarted.Merchant.QueryAsync(order), a => a.DataString("status") != OrderStatuses.Pending, "recovery");

        settled.DataString("status").ShouldBe(OrderStatuses.Closed);
    }

    [Fact]
    public async Task AcquirerStillDeciding_NotClosedByRecovery_ClosedAtExpiry()
    {
        await using var host = await GatewayHost.StartAsync(Settings);
        var order = GatewayFixture.NewId("slow");
        (await host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "slow_user", subject: "PENDING"))).DataString("status").ShouldBe(OrderStatuses.Pending);

        host.Clock.Advance(TimeSpan.FromMinutes(5));
        await Eventually.UntilAsync(() => host.ScalarAsync($"SELECT sent_at FROM orders WHERE out_trade_no = '{order}'"), sentAt => sentAt > GatewayHost.Epoch.ToUnixTimeMilliseconds(), "recovery asked the acquirer");
        (await host.Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Pending, "the acquirer has not decided");

        host.Clock.Advance(TimeSpan.FromMinutes(26));
        var closed = await Eventually.UntilAsync(() => host.Merchant.QueryAsync(order), a => a.DataString("status") != OrderStatuses.Pending, "expiry");
        closed.DataString("status").ShouldBe(OrderStatuses.Closed);
    }
}
