using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>Refunds from the merchant service: idempotent by refundId, recorded before sending, settled when an answer is lost.</summary>
public sealed class RefundTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task PartialRefunds_SameRefundIdTwiceRefundsOnce_AndTheNotificationMakesItSucceed()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var payment = await ChargedAsync(merchant, "alice", 10m);
        var refunds = merchant.Service<RefundService>();

        var first = await refunds.RefundAsync(new RefundOrder(payment, 4m, "refund-1", "Damaged"), default);
        var again = await refunds.RefundAsync(new RefundOrder(payment, 4m, "refund-1", "Damaged"), default);
        var second = await refunds.RefundAsync(new RefundOrder(payment, 6m, "refund-2"), default);
        var over = await refunds.RefundAsync(new RefundOrder(payment, 0.01m, "refund-3"), default);

        (first.Status, first.Replayed).ShouldBe((RefundStates.Pending, false));
        again.ShouldBe(first with { Replayed = true });
        second.Status.ShouldBe(RefundStates.Pending);
        (over.Status, over.ResultCode).ShouldBe((RefundStates.Refused, ResultCodes.RefundAmountExceeded));
        (await GatewayRefundsAsync()).ShouldBe(2);

        // The gateway settles them and notifies the merchant's notify endpoint (sent as refundNotifyUrl).
        _gateway.Clock.Advance(TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync(async () => (await merchant.Service<RefundLedger>().FindByRefundIdAsync("refund-1", default))!.Status, s => s == RefundStates.Success, "the REFUND notification applied");
        await Eventually.UntilAsync(async () => (await merchant.Service<RefundLedger>().FindByRefundIdAsync("refund-2", default))!.Status, s => s == RefundStates.Success, "the second one too");

        // A late, reordered PENDING never overwrites SUCCESS.
        (await merchant.Service<RefundLedger>().ApplyAsync(new RefundUpdate(first.OutRefundNo, RefundStates.Pending, first.RefundTradeNo, null, null), default)).ShouldBeFalse();
        (await refunds.RefundAsync(new RefundOrder(payment, 4m, "refund-1"), default)).Status.ShouldBe(RefundStates.Success);
    }

    [Fact]
    public async Task SameRefundIdOtherAmount_RefusedByTheApiWith409NamingRefundId()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var payment = await ChargedAsync(merchant, "bob", 10m);
        using var created = await PostAsync(merchant, $$"""{"payment":"{{payment}}","amount":3,"refundId":"r-api"}""");
        using var reused = await PostAsync(merchant, $$"""{"payment":"{{payment}}","amount":5,"refundId":"r-api"}""");
        using var bad = await PostAsync(merchant, $$"""{"payment":"{{payment}}","amount":-1,"refundId":"r-bad"}""");
        using var unknown = await PostAsync(merchant, """{"payment":"no_such_payment","amount":1,"refundId":"r-unknown"}""");

        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await created.Content.ReadAsStringAsync()).ShouldContain("\"status\":\"REFUND_PENDING\"");
        reused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await reused.Content.ReadAsStringAsync()).ShouldContain("\"field\":\"refundId\"");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("\"field\":\"amount\"");
        (await unknown.Content.ReadAsStringAsync()).ShouldContain(ResultCodes.OrderNotExist);
        (await GatewayRefundsAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task AnswerLostAfterTheGatewayAccepted_TheNextAskSettlesByRefundQuery_WithoutASecondRefund()
    {
        var network = new LossyNetwork((api, n) => (api, n) is ("refund", 1) or ("refundQuery", 1) ? Loss.Answer : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        var payment = await ChargedAsync(merchant, "carol", 10m);
        var refunds = merchant.Service<RefundService>();

        var first = await refunds.RefundAsync(new RefundOrder(payment, 2m, "refund-lost"), default);
        var second = await refunds.RefundAsync(new RefundOrder(payment, 2m, "refund-lost"), default);

        first.Status.ShouldBe(RefundStates.Created, "the outcome was unknown after the first call");
        second.Status.ShouldBe(RefundStates.Pending);
        second.RefundTradeNo.ShouldNotBeNull();
        (await GatewayRefundsAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task RequestLostBeforeTheGateway_TheNextAskSendsItOnce()
    {
        var network = new LossyNetwork((api, n) => (api, n) is ("refund", 1) or ("refundQuery", 1) ? Loss.Request : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        var payment = await ChargedAsync(merchant, "dave", 10m);
        var refunds = merchant.Service<RefundService>();

        (await refunds.RefundAsync(new RefundOrder(payment, 2m, "refund-unsent"), default)).Status.ShouldBe(RefundStates.Created);
        (await GatewayRefundsAsync()).ShouldBe(0);
        (await refunds.RefundAsync(new RefundOrder(payment, 2m, "refund-unsent"), default)).Status.ShouldBe(RefundStates.Pending);
        (await GatewayRefundsAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task TheReconcilerSettlesARefundWhoseNotificationNeverCame()
    {
        // Notifications go nowhere: only the reconciler can learn the outcome.
        await using var merchant = await MerchantHost.StartAsync(_gateway, new Dictionary<string, string?> { ["Merchant:NotifyUrl"] = "http://127.0.0.1:9/nowhere" });
        var payment = await ChargedAsync(merchant, "erin", 10m);
        (await merchant.Service<RefundService>().RefundAsync(new RefundOrder(payment, 10m, "refund-quiet"), default)).Status.ShouldBe(RefundStates.Pending);
        // The gateway's sweep (every 10 s of its clock) ends the refund; its notification goes nowhere.
        _gateway.Clock.Advance(TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync(() => _gateway.ScalarAsync("SELECT COUNT(*) FROM refunds WHERE status = 'REFUND_SUCCESS'"), n => n == 1, "the gateway settled the refund");
        _gateway.Clock.Advance(TimeSpan.FromMinutes(6));

        var summary = await merchant.Service<Reconciler>().ReconcileAsync(default);

        summary.Settled.ShouldBeGreaterThanOrEqualTo(1);
        (await merchant.Service<RefundLedger>().FindByRefundIdAsync("refund-quiet", default))!.Status.ShouldBe(RefundStates.Success);
    }

    private async Task<string> ChargedAsync(MerchantHost merchant, string user, decimal amount)
    {
        await Shared.SaveCardAsync(_gateway, user);
        await merchant.Service<TokenPay.Merchant.Wallet.WalletService>().SyncAsync(user, default);
        var charge = await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest(user, amount, "USD", "Top-up", $"charge-{user}"), default);
        charge.Status.ShouldBe(OrderStatuses.Success);
        return charge.OutTradeNo;
    }

    private static Task<HttpResponseMessage> PostAsync(MerchantHost merchant, string json) =>
        merchant.Api.PostAsync("/api/refunds", new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<long> GatewayRefundsAsync() => _gateway.ScalarAsync("SELECT COUNT(*) FROM refunds");
}
