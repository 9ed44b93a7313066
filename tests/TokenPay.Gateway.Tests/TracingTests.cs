using System.Collections.Concurrent;
using System.Diagnostics;

namespace TokenPay.Gateway.Tests;

/// <summary>The gateway's spans (activity source TokenPay.Gateway): API operation, acquirer and notification, tied by trace, with the merchant's outTradeNo and never card data.</summary>
public sealed class TracingTests : IAsyncLifetime, IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "TokenPay.Gateway" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Merchants:0:NotifyUrl"] = _receiver.Url });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task APayment_HasAnOperationSpanWithTheAcquirerUnderIt_AndItsNotificationSpan()
    {
        var order = GatewayFixture.NewId("trace");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u_trace", "4242424242424242"))).DataString("status").ShouldBe("SUCCESS");
        await _receiver.WaitForAsync(1);

        var mine = await Eventually.UntilAsync(
            () => Task.FromResult(_spans.Where(s => s.GetTagItem("tokenpay.out_trade_no") as string == order).ToList()),
            spans => spans.Any(s => s.OperationName == "notification.deliver"), "the notification span");

        var operation = mine.Single(s => s.OperationName == "orderAndPay");
        var acquirer = mine.Single(s => s.OperationName == "acquirer.authorize");
        acquirer.ParentSpanId.ShouldBe(operation.SpanId);
        acquirer.TraceId.ShouldBe(operation.TraceId);
        acquirer.GetTagItem("tokenpay.decision").ShouldBe("Approved");
        operation.GetTagItem("tokenpay.code").ShouldBe("APPLY_SUCCESS");
        _spans.ShouldContain(s => s.SpanId == operation.ParentSpanId && s.Source.Name == "Microsoft.AspNetCore", "the operation is inside ASP.NET Core's request span");
        mine.Single(s => s.OperationName == "notification.deliver").GetTagItem("tokenpay.acknowledged").ShouldBe(true);
        mine.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString() ?? "").ShouldNotContain(v => v.Contains("4242424242424242", StringComparison.Ordinal));
    }
}
