using System.Text;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Tests;

/// <summary>Signed, durable notifications (docs/protocol.md 5) to a real receiver on 127.0.0.1, with a fake clock.</summary>
public sealed class NotificationTests : IAsyncLifetime
{
    private static readonly long[] PayerMaxOffsetsMs = [0, 30_000, 300_000, 600_000, 3_600_000, 43_200_000];

    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _host = await GatewayHost.StartAsync();
        _receiver = await NotificationReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task BindingSuccess_OneSignedNotificationWithTokenVerifiedOverRawBytes()
    {
        var order = GatewayFixture.NewId("n");
        var data = OrderRequests.Bind(order, "user_n");
        data["notifyUrl"] = _receiver.Url;
        data["reference"] = "ref-Ω-✓";
        await _host.Merchant.PostAsync("orderAndPay", data);

        var received = (await _receiver.WaitForAsync(1)).Single();

        PayerMaxSignature.Verify(_host.PlatformPublicKey, received.Body, received.Sign).ShouldBeTrue();
        received.ContentType.ShouldStartWith("application/json");
        var json = received.Json;
        json.GetProperty("notifyType").GetString().ShouldBe("PAYMENT");
        json.GetProperty("code").GetString().ShouldBe(ResultCodes.ApplySuccess);
        json.GetProperty("appId").GetString().ShouldBe(TestKeys.AppId);
        json.GetProperty("merchantNo").GetString().ShouldBe(TestKeys.MerchantNo);
        var body = json.GetProperty("data");
        body.GetProperty("outTradeNo").GetString().ShouldBe(order);
        body.GetProperty("status").GetString().ShouldBe(OrderStatuses.Success);
        body.GetProperty("reference").GetString().ShouldBe("ref-Ω-✓");
        var token = (await _host.Merchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString();
        body.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString().ShouldBe(token);
        body.GetProperty("paymentDetails")[0].GetProperty("cardInfo").GetProperty("cardIdentifierNo").GetString().ShouldBe("444433******1111");
        Encoding.UTF8.GetString(received.Body).ShouldNotContain("4444333322221111");
        await StatusShouldBecomeAsync(order, "Delivered");
    }

    [Fact]
    public async Task ReceiverAlwaysFails_SixAttemptsAtPayerMaxOffsetsThenFailed()
    {
        _receiver.Reply = _ => ReceiverReply.ServerError;
        var order = await PayAsync();

        for (var attempt = 1; attempt <= 6; attempt++)
        {
            if (attempt > 1)
            {
                _host.Clock.Advance(TimeSpan.FromMilliseconds(PayerMaxOffsetsMs[attempt - 1] - PayerMaxOffsetsMs[attempt - 2]));
            }

            await AttemptsShouldReachAsync(order, attempt);
        }

        await StatusShouldBecomeAsync(order, "Failed");
        var started = await _host.ColumnAsync(AttemptsSql(order, "started_at"));
        started.Select(t => t - started[0]).ShouldBe(PayerMaxOffsetsMs);
        (await _host.ColumnAsync(AttemptsSql(order, "http_status"))).ShouldAllBe(s => s == 500);

        _host.Clock.Advance(TimeSpan.FromDays(2));
        await Task.Delay(100);
        _receiver.Received.Count.ShouldBe(6);
    }

    [Fact]
    public async Task AckOnThirdAttempt_StopsThere()
    {
        _receiver.Reply = n => n < 3 ? ReceiverReply.ServerError : ReceiverReply.Ack;
        var order = await PayAsync();

        await AttemptsShouldReachAsync(order, 1);
        _host.Clock.Advance(TimeSpan.FromSeconds(30));
        await AttemptsShouldReachAsync(order, 2);
        _host.Clock.Advance(TimeSpan.FromMinutes(4.5));
        await StatusShouldBecomeAsync(order, "Delivered");

        _host.Clock.Advance(TimeSpan.FromDays(1));
        await Task.Delay(100);
        _receiver.Received.Count.ShouldBe(3);
        _receiver.Received.Select(r => Encoding.UTF8.GetString(r.Body)).Distinct().Count().ShouldBe(1, "every attempt sends the same body");
    }

    [Fact]
    public async Task Http200WithWrongBody_IsRetried()
    {
        _receiver.Reply = n => n == 1 ? ReceiverReply.WrongBody : ReceiverReply.Ack;
        var order = await PayAsync();

        await AttemptsShouldReachAsync(order, 1);
        (await _host.ScalarAsync($"SELECT COUNT(*) FROM notifications n JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}' AND n.status = 'Pending'")).ShouldBe(1);
        _host.Clock.Advance(TimeSpan.FromSeconds(30));

        await StatusShouldBecomeAsync(order, "Delivered");
        _receiver.Received.Count.ShouldBe(2);
    }

    [Fact]
    public async Task SlowReceiver_TimesOutAfter10SecondsAndIsRetried()
    {
        _receiver.Reply = n => n == 1 ? ReceiverReply.NoAnswer : ReceiverReply.Ack;
        var order = await PayAsync();
        await _receiver.WaitForAsync(1);

        _host.Clock.Advance(TimeSpan.FromSeconds(10));
        await AttemptsShouldReachAsync(order, 1);
        _host.Clock.Advance(TimeSpan.FromSeconds(20));

        await StatusShouldBecomeAsync(order, "Delivered");
        var errors = await _host.ScalarAsync($"SELECT COUNT(*) FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}' AND a.error LIKE 'timed out%'");
        errors.ShouldBe(1);
    }

    [Fact]
    public async Task AMerchantEndpointThatNeverAnswers_DoesNotHoldBackOtherNotifications()
    {
        // The first arrival hangs, and the fake clock never reaches its timeout: only an independent slot lets the others through.
        _receiver.Reply = n => n == 1 ? ReceiverReply.NoAnswer : ReceiverReply.Ack;
        var orders = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var order = GatewayFixture.NewId("hol");
            var data = OrderRequests.Card(order, "u1");
            data["notifyUrl"] = _receiver.Url;
            await _host.Merchant.PostAsync("orderAndPay", data);
            await _receiver.WaitForAsync(i + 1);
            orders.Add(order);
        }

        await StatusShouldBecomeAsync(orders[1], "Delivered");
        await StatusShouldBecomeAsync(orders[2], "Delivered");
        (await _host.ScalarAsync($"SELECT COUNT(*) FROM notifications n JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{orders[0]}' AND n.status = 'Pending'")).ShouldBe(1, "the hung one is still in flight");
    }

    [Fact]
    public async Task NoNotificationWhilePending_ExactlyOneOnceTerminal()
    {
        var order = GatewayFixture.NewId("3ds");
        var data = OrderRequests.Card(order, "u1", "4000000000003220");
        data["notifyUrl"] = _receiver.Url;
        var link = (await _host.Merchant.PostAsync("orderAndPay", data)).DataString("redirectUrl");
        (await _host.ScalarAsync("SELECT COUNT(*) FROM notifications")).ShouldBe(0);

        using (await _host.Http.PostAsync(link, new FormUrlEncodedContent([new("outcome", "pass")])))
        {
        }

        await _receiver.WaitForAsync(1);
        _receiver.Received.Single().Json.GetProperty("data").GetProperty("status").GetString().ShouldBe(OrderStatuses.Success);
        (await _host.ScalarAsync("SELECT COUNT(*) FROM notifications")).ShouldBe(1);
    }

    [Fact]
    public async Task ExpiredOrder_NotifiedClosedOnce()
    {
        // One sweep tick, exactly at the end of the advance: a tick on the way would start the delivery while the
        // fake clock still walks on, and the walk would run out the attempt's 10-second timeout.
        await _host.DisposeAsync();
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Orders:ExpirySweepInterval"] = "00:31:00" });
        var order = await PayAsync(subject: "PENDING");
        (await _host.ScalarAsync("SELECT COUNT(*) FROM notifications")).ShouldBe(0);

        _host.Clock.Advance(TimeSpan.FromMinutes(31));

        var received = (await WaitOrExplainAsync(1)).Single().Json;
        received.GetProperty("code").GetString().ShouldBe(ResultCodes.OrderClosed);
        received.GetProperty("data").GetProperty("status").GetString().ShouldBe(OrderStatuses.Closed);
        received.GetProperty("data").GetProperty("outTradeNo").GetString().ShouldBe(order);
    }

    [Fact]
    public async Task Declined_NotificationCodeIsDeclineCode()
    {
        await PayAsync(pan: "4000000000009995");

        var received = (await _receiver.WaitForAsync(1)).Single().Json;

        received.GetProperty("code").GetString().ShouldBe(ResultCodes.BalanceInsufficient);
        received.GetProperty("data").GetProperty("status").GetString().ShouldBe(OrderStatuses.Failed);
    }

    [Fact]
    public async Task OperatorResend_AfterFailure_SendsSameBodyAgain()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Notifications:Schedule:0"] = "00:00:00" });
        _receiver.Reply = n => n == 1 ? ReceiverReply.ServerError : ReceiverReply.Ack;
        var data = OrderRequests.Card(GatewayFixture.NewId("n"), "u1");
        data["notifyUrl"] = _receiver.Url;
        await host.Merchant.PostAsync("orderAndPay", data);
        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Failed'"), c => c == 1, "failure");
        var id = await host.ScalarAsync("SELECT id FROM notifications");

        using var resend = await host.Http.PostAsync($"/admin/notifications/{id}/resend", null);

        resend.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted);
        await _receiver.WaitForAsync(2);
        _receiver.Received[1].Body.ShouldBe(_receiver.Received[0].Body);
        _receiver.Received[1].Sign.ShouldBe(_receiver.Received[0].Sign);
        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), c => c == 1, "delivery");
        (await host.ScalarAsync("SELECT COUNT(*) FROM notification_attempts")).ShouldBe(2);
    }

    [Fact]
    public async Task AdminAttempts_ListsANotificationsAttempts_AndAnUnknownIdIsNotFoundByName()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Notifications:Schedule:0"] = "00:00:00" });
        var data = OrderRequests.Card(GatewayFixture.NewId("n"), "u1");
        data["notifyUrl"] = _receiver.Url;
        await host.Merchant.PostAsync("orderAndPay", data);
        await Eventually.UntilAsync(() => host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), c => c == 1, "delivery");
        var id = await host.ScalarAsync("SELECT id FROM notifications");

        using var known = await host.Http.GetAsync($"/admin/notifications/{id}/attempts");
        using var unknown = await host.Http.GetAsync($"/admin/notifications/{id + 1000}/attempts");

        known.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        System.Text.Json.JsonDocument.Parse(await known.Content.ReadAsStringAsync()).RootElement.GetArrayLength().ShouldBe(1);
        unknown.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain($"No notification {id + 1000}.");
    }

    [Fact]
    public async Task MerchantNotifyUrl_UsedWhenOrderNamesNone_AndTokenizationWhenEnabled()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Merchants:0:NotifyUrl"] = _receiver.Url,
            ["Gateway:Merchants:0:TokenizationNotifications"] = "true",
        });
        var order = GatewayFixture.NewId("tok");

        await host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, "user_t"));

        var received = await _receiver.WaitForAsync(2);
        var types = received.Select(r => r.Json.GetProperty("notifyType").GetString()).ToList();
        types.ShouldBe(["PAYMENT", "TOKENIZATION"], ignoreOrder: true);
        var tokenization = received.Single(r => r.Json.GetProperty("notifyType").GetString() == "TOKENIZATION").Json.GetProperty("data");
        tokenization.GetProperty("outTradeNo").GetString().ShouldBe(order);
        tokenization.GetProperty("paymentTokenID").GetString().ShouldStartWith("PMTOKEN");
        tokenization.GetProperty("cardInfo").GetString().ShouldBe("444433******1111");
        received.ShouldAllBe(r => PayerMaxSignature.Verify(host.PlatformPublicKey, r.Body, r.Sign));
    }

    private async Task<IReadOnlyList<ReceivedNotification>> WaitOrExplainAsync(int count)
    {
        try
        {
            return await _receiver.WaitForAsync(count);
        }
        catch (TimeoutException ex)
        {
            var state = await _host.ScalarAsync("SELECT COUNT(*) FROM orders WHERE status = 'CLOSED'") + " closed orders, "
                + await _host.ScalarAsync("SELECT COUNT(*) FROM notifications") + " notifications";
            throw new TimeoutException($"{ex.Message} {state}; gateway problems:\n{_host.Problems}", ex);
        }
    }

    private async Task<string> PayAsync(string pan = "4444333322221111", string subject = "Test order")
    {
        var order = GatewayFixture.NewId("n");
        var data = OrderRequests.Card(order, "u1", pan, subject: subject);
        data["notifyUrl"] = _receiver.Url;
        (await _host.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ApplySuccess);
        return order;
    }

    private static string AttemptsSql(string order, string column) =>
        $"SELECT a.{column} FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}' ORDER BY a.attempt";

    private Task AttemptsShouldReachAsync(string order, int count) =>
        Eventually.UntilAsync(() => _host.ColumnAsync(AttemptsSql(order, "attempt")), a => a.Count >= count, $"{count} attempts");

    private Task StatusShouldBecomeAsync(string order, string status) =>
        Eventually.UntilAsync(
            () => _host.ScalarAsync($"SELECT COUNT(*) FROM notifications n JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}' AND n.status = '{status}'"),
            c => c == 1,
            $"notification {status}");
}
