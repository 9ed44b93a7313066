using Microsoft.Extensions.DependencyInjection;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// Doubt is never turned into "not sent": a charge or refund whose request may have reached the gateway stays
/// open until the gateway's order proves its outcome (or the reconciler finds it absent once it could no longer
/// arrive); one refused before anything was sent fixes nothing, and the same id proceeds later.
/// </summary>
public sealed class ChargeDoubtTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task NoSavedCard_RefusedWithNothingSent_TheSameChargeIdChargesOnceACardIsSaved()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var charges = merchant.Service<ChargeService>();

        var refused = await charges.ChargeAsync(new ChargeRequest("gina", 5m, "USD", "Top-up", "c-001"), default);
        await SeedWalletAsync(merchant, "gina");
        var charged = await charges.ChargeAsync(new ChargeRequest("gina", 5m, "USD", "Top-up", "c-001"), default);
        var replayed = await charges.ChargeAsync(new ChargeRequest("gina", 5m, "USD", "Top-up", "c-001"), default);

        (refused.Status, refused.ResultCode).ShouldBe((PaymentStatuses.Refused, ResultCodes.TokenInvalid));
        charged.Status.ShouldBe(OrderStatuses.Success);
        charged.OutTradeNo.ShouldBe(refused.OutTradeNo);
        (replayed.Status, replayed.Replayed).ShouldBe((OrderStatuses.Success, true));
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task GatewayUnreachableAtConnect_RefusedWithNothingSent_TheSameChargeIdChargesLater()
    {
        var network = new LossyNetwork((api, n) => (api, n) is ("orderAndPay", 1) ? Loss.Connect : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "hank");
        var charges = merchant.Service<ChargeService>();

        var refused = await charges.ChargeAsync(new ChargeRequest("hank", 4m, "USD", "Top-up", "c-unreachable"), default);
        var charged = await charges.ChargeAsync(new ChargeRequest("hank", 4m, "USD", "Top-up", "c-unreachable"), default);

        (refused.Status, refused.ResultCode).ShouldBe((PaymentStatuses.Refused, NotSentCodes.GatewayUnreachable));
        charged.Status.ShouldBe(OrderStatuses.Success);
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task ChargedButTheAnswerLostAndTheOrderNotYetVisible_StaysOpen_ThenAgreesWithTheGateway()
    {
        // The gateway charges, the answer is lost, and the settling query does not see the order yet.
        var network = new LossyNetwork((api, n) => (api, n) switch
        {
            ("orderAndPay", 1) => Loss.Answer,
            ("orderQuery", 1) => Loss.NotYetVisible,
            _ => Loss.None,
        });
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "ivan");
        var charges = merchant.Service<ChargeService>();

        var first = await charges.ChargeAsync(new ChargeRequest("ivan", 6m, "USD", "Top-up", "c-doubt"), default);
        var second = await charges.ChargeAsync(new ChargeRequest("ivan", 6m, "USD", "Top-up", "c-doubt"), default);

        first.Status.ShouldBe(PaymentStatuses.Created, "an absent order right after a lost answer proves nothing");
        second.Status.ShouldBe(OrderStatuses.Success);
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task RepeatAnsweredWhileTheOrderIsNotYetVisible_StaysOpen_NeverRefused()
    {
        // A double submit: this request meets ORDER_REPEAT (the other one placed the order) and its query comes too early.
        var network = new LossyNetwork((api, n) => (api, n) is ("orderQuery", 1) ? Loss.NotYetVisible : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "jane");
        var token = (await merchant.Service<WalletService>().ListAsync("jane", default)).Single().PaymentTokenId;
        var outTradeNo = PaymentOrders.ForCharge("c-repeat");
        (await _gateway.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(outTradeNo, "jane", token, amount: 2m))).DataString("status").ShouldBe(OrderStatuses.Success);

        var first = await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("jane", 2m, "USD", "Top-up", "c-repeat"), default);
        var reconciled = await merchant.Service<Reconciler>().ReconcileAsync(default);
        _gateway.Clock.Advance(TimeSpan.FromMinutes(10));
        await merchant.Service<Reconciler>().ReconcileAsync(default);

        first.Status.ShouldBe(PaymentStatuses.Created);
        reconciled.Settled.ShouldBe(0, "too young to reconcile");
        (await merchant.Service<PaymentStore>().FindAsync(outTradeNo, default))!.Status.ShouldBe(OrderStatuses.Success, "the reconciler found the gateway's order");
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task SentButNeverArrived_TheReconcilerClosesItOnlyOnceItCouldNoLongerArrive()
    {
        var network = new LossyNetwork((api, n) => (api, n) is ("orderAndPay", 1) or ("orderQuery", 1) ? Loss.Request : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, new Dictionary<string, string?> { ["Merchant:ReconcileAfter"] = "00:01:00" },
            configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "kim");
        var reconciler = merchant.Service<Reconciler>();

        var first = await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("kim", 3m, "USD", "Top-up", "c-lost"), default);
        _gateway.Clock.Advance(TimeSpan.FromMinutes(2));
        await reconciler.ReconcileAsync(default);
        var afterReconcileAfter = (await merchant.Service<PaymentStore>().FindAsync(first.OutTradeNo, default))!;
        _gateway.Clock.Advance(TimeSpan.FromMinutes(2));
        await reconciler.ReconcileAsync(default);
        var afterArrivalWindow = (await merchant.Service<PaymentStore>().FindAsync(first.OutTradeNo, default))!;

        first.Status.ShouldBe(PaymentStatuses.Created);
        afterReconcileAfter.Status.ShouldBe(PaymentStatuses.Created, "sent 2 minutes ago: it may still arrive");
        (afterArrivalWindow.Status, afterArrivalWindow.ResultCode).ShouldBe((PaymentStatuses.Refused, NotSentCodes.NotSent));
        (await GatewayMitOrdersAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task RefundWithGatewayUnreachableAtConnect_RefusedWithNothingSent_TheSameRefundIdRefundsLater()
    {
        var network = new LossyNetwork((api, n) => (api, n) is ("refund", 1) ? Loss.Connect : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "lena");
        var paid = await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("lena", 8m, "USD", "Top-up", "c-to-refund"), default);
        var refunds = merchant.Service<RefundService>();

        var refused = await refunds.RefundAsync(new RefundOrder(paid.OutTradeNo, 3m, "r-unreachable"), default);
        var refunded = await refunds.RefundAsync(new RefundOrder(paid.OutTradeNo, 3m, "r-unreachable"), default);

        (refused.Status, refused.ResultCode).ShouldBe((RefundStates.Refused, NotSentCodes.GatewayUnreachable));
        refunded.Status.ShouldBe(RefundStates.Pending);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM refunds")).ShouldBe(1);
    }

    [Fact]
    public async Task CallerHangsUpWhileTheChargeIsOnItsWay_TheChargeStillCompletes()
    {
        var network = new HeldNetwork("orderAndPay");
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "mia");
        using var caller = new CancellationTokenSource();

        var call = merchant.Api.PostAsync("/api/charges", new StringContent("""{"userId":"mia","amount":3,"currency":"USD","reason":"Top-up","chargeId":"c-hangup"}""", System.Text.Encoding.UTF8, "application/json"), caller.Token);
        await network.Reached;
        await caller.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => call);
        await Task.Delay(200); // the merchant sees its caller gone before the gateway's answer comes
        network.Release();

        var payment = await Eventually.UntilAsync(() => merchant.Service<PaymentStore>().FindAsync(PaymentOrders.ForCharge("c-hangup"), default), p => p!.Status != PaymentStatuses.Created,
            "the charge to finish without its caller");
        payment!.Status.ShouldBe(OrderStatuses.Success);
    }

    private async Task SeedWalletAsync(MerchantHost merchant, string user)
    {
        await Shared.SaveCardAsync(_gateway, user);
        await merchant.Service<WalletService>().SyncAsync(user, default);
    }

    private Task<long> GatewayMitOrdersAsync() => _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1");
}

/// <summary>Holds every call to one API until released, telling when the first one got there.</summary>
internal sealed class HeldNetwork(string api) : DelegatingHandler
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public void Release() => _released.SetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.Segments[^1] == api)
        {
            _reached.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
