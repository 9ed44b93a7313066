using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Tests.Disputes;

/// <summary>The sandbox's delivery faults (docs/sandbox.md) reach CHARGEBACK notifications like any other.</summary>
public sealed class DisputeNotificationFaultTests : IAsyncLifetime
{
    private NotificationReceiver _receiver = null!;
    private GatewayHost _host = null!;

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Sandbox:Enabled"] = "true",
            ["Gateway:Merchants:0:DisputeNotifyUrl"] = _receiver.Url,
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ADroppedChargebackNotification_IsDeliveredByTheRetry30SecondsLater()
    {
        var order = GatewayFixture.NewId("cbdrop");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u_cb_drop"))).DataString("status").ShouldBe(OrderStatuses.Success);
        (await _host.Http.PostAsJsonAsync("/sandbox/faults", new { kind = "notification.drop", outTradeNo = order })).StatusCode.ShouldBe(HttpStatusCode.Created);

        using var created = await _host.Http.PostAsJsonAsync("/sandbox/triggers", new { @event = "dispute.created", outTradeNo = order, reason = "duplicate", merchantNo = TestKeys.MerchantNo });
        created.StatusCode.ShouldBe(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var caseId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseId").GetString()!;
        await Eventually.UntilAsync(() => _host.ScalarAsync("SELECT COUNT(*) FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id WHERE n.notify_type = 'CHARGEBACK'"), n => n == 1, "the dropped attempt");
        _receiver.Received.ShouldBeEmpty();

        (await _host.Http.PostAsJsonAsync("/sandbox/clock", new { advance = "00:01:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var delivered = await Eventually.UntilAsync(() => Task.FromResult(_receiver.Received), r => r.Count == 1, "the retry");
        var body = JsonDocument.Parse(delivered[0].Body).RootElement;
        (body.GetProperty("notifyType").GetString(), body.GetProperty("data").GetProperty("caseId").GetString(), body.GetProperty("data").GetProperty("status").GetString())
            .ShouldBe((Wire.NotifyChargeback, caseId, DisputeStatuses.Inquiry));
        (await _host.TextColumnAsync("SELECT COALESCE(a.error, 'ok') FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id WHERE n.notify_type = 'CHARGEBACK' ORDER BY a.attempt"))
            .ShouldBe(["dropped by sandbox fault flt_1", "ok"]);
    }
}
