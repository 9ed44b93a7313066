using System.Net;
using System.Text.Json.Nodes;
using TokenPay.Gateway.Refunds;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Tests;

/// <summary>refund and refundQuery (docs/protocol.md 2.6) against a real gateway with the sandbox acquirer and a fake clock.</summary>
public sealed class RefundTests : IAsyncLifetime
{
    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Merchants:0:RefundNotifyUrl"] = _receiver.Url });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task FullRefund_PendingThenSuccess_WithFinishTime_AndOrderQueryShowsTheRefundedAmount()
    {
        var (order, tradeToken) = await PaidAsync(10m);

        var answer = await RefundAsync(Refund("rf_full", order, 10m));

        answer.Code.ShouldBe(ResultCodes.ApplySuccess);
        answer.SignatureValid.ShouldBeTrue();
        (answer.DataString("outRefundNo"), answer.DataString("tradeOrderNo"), answer.DataString("status")).ShouldBe(("rf_full", tradeToken, RefundStatuses.Pending));
        answer.DataString("refundTradeNo").ShouldStartWith("R");
        var pending = await QueryAsync("rf_full");
        pending.DataString("status").ShouldBe(RefundStatuses.Pending);
        pending.Data.TryGetProperty("refundFinishTime", out _).ShouldBeFalse();

        await SettleAsync(TimeSpan.FromSeconds(6));

        var done = await QueryAsync("rf_full");
        (done.DataString("status"), done.DataString("outTradeNo"), done.DataString("refundCurrency")).ShouldBe((RefundStatuses.Success, order, "USD"));
        done.Data.GetProperty("refundAmount").GetDecimal().ShouldBe(10.00m);
        done.DataString("refundFinishTime").ShouldBe(PayerMaxTime.Format(_host.Clock.GetUtcNow()));
        (await QueryByTradeNoAsync(answer.DataString("refundTradeNo"))).DataString("outRefundNo").ShouldBe("rf_full");
        (await _host.Merchant.QueryAsync(order)).Data.GetProperty("refundedAmount").GetDecimal().ShouldBe(10.00m);
    }

    [Fact]
    public async Task PartialRefunds_UpToThePaidAmount_TheRestRefusedWithWhatIsLeft_AndNothingStored()
    {
        var (order, _) = await PaidAsync(10m);
        (await RefundAsync(Refund("rf_p1", order, 3m))).DataString("status").ShouldBe(RefundStatuses.Pending);
        (await RefundAsync(Refund("rf_p2", order, 4.5m))).DataString("status").ShouldBe(RefundStatuses.Pending);

        var over = await RefundAsync(Refund("rf_p3", order, 2.51m));

        over.Code.ShouldBe(ResultCodes.RefundAmountExceeded);
        over.Msg.ShouldContain("2.50 USD");
        (await QueryAsync("rf_p3")).Code.ShouldBe(ResultCodes.RefundNotExist);
        (await RefundAsync(Refund("rf_p4", order, 2.5m))).DataString("status").ShouldBe(RefundStatuses.Pending);
        (await _host.Merchant.QueryAsync(order)).Data.GetProperty("refundedAmount").GetDecimal().ShouldBe(10.00m);
    }

    [Fact]
    public async Task FiftyConcurrentRefundsOfOneOrder_NeverTakeBackMoreThanWasPaid()
    {
        var (order, _) = await PaidAsync(10m);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => RefundAsync(Refund($"rf_c{i}", order, 1m)))));

        answers.Count(a => a.Code == ResultCodes.ApplySuccess).ShouldBe(10);
        answers.Count(a => a.Code == ResultCodes.RefundAmountExceeded).ShouldBe(40);
        (await _host.Merchant.QueryAsync(order)).Data.GetProperty("refundedAmount").GetDecimal().ShouldBe(10.00m);
    }

    [Fact]
    public async Task RepeatedOutRefundNo_AnswersTheSameRefund_InAnyCase_AndOtherParametersAreRefused()
    {
        var (order, _) = await PaidAsync(10m);
        var first = await RefundAsync(Refund("rf_rep", order, 2m));

        var again = await RefundAsync(Refund("RF_REP", order, 2m));
        var other = await RefundAsync(Refund("rf_rep", order, 3m));

        again.DataString("refundTradeNo").ShouldBe(first.DataString("refundTradeNo"));
        other.Code.ShouldBe(ResultCodes.OrderRepeat);
        other.Msg.ShouldContain("outRefundNo");
        (await _host.Merchant.QueryAsync(order)).Data.GetProperty("refundedAmount").GetDecimal().ShouldBe(2.00m, "the repeat changed nothing");
    }

    [Fact]
    public async Task RefundByTradeToken_Works_AndATradeTokenOfAnotherOrderIsNotFound()
    {
        var (order, tradeToken) = await PaidAsync(10m);
        var (_, otherToken) = await PaidAsync(10m);
        var byToken = Refund("rf_tt", order, 1m);
        byToken.Remove("outTradeNo");
        byToken["tradeToken"] = tradeToken;
        var mismatched = Refund("rf_tt2", order, 1m);
        mismatched["tradeToken"] = otherToken;

        (await RefundAsync(byToken)).DataString("tradeOrderNo").ShouldBe(tradeToken);
        (await RefundAsync(mismatched)).Code.ShouldBe(ResultCodes.OrderNotExist);
    }

    [Theory]
    [InlineData("outRefundNo", null, ResultCodes.ParamsInvalid, "outRefundNo")]
    [InlineData("outRefundNo", "bad-no", ResultCodes.ParamsInvalid, "outRefundNo")]
    [InlineData("refundAmount", null, ResultCodes.ParamsInvalid, "refundAmount")]
    [InlineData("refundAmount", "0", ResultCodes.AmountInvalid, "refundAmount")]
    [InlineData("refundAmount", "-1", ResultCodes.AmountInvalid, "refundAmount")]
    [InlineData("refundAmount", "1.001", ResultCodes.AmountInvalid, "refundAmount")]
    [InlineData("refundAmount", "lots", ResultCodes.AmountInvalid, "refundAmount")]
    [InlineData("refundCurrency", "EUR", ResultCodes.CurrencyInvalid, "refundCurrency")]
    [InlineData("refundCurrency", "XXQ", ResultCodes.CurrencyInvalid, "refundCurrency")]
    [InlineData("outTradeNo", null, ResultCodes.ParamsInvalid, "outTradeNo or tradeToken")]
    [InlineData("comments", "@513", ResultCodes.ParamsInvalid, "comments")]
    [InlineData("refundNotifyUrl", "ftp://x", ResultCodes.ParamsInvalid, "refundNotifyUrl")]
    public async Task BadRefund_IsRefusedNamingTheField_AndStoresNothing(string field, string? value, string code, string named)
    {
        var (order, _) = await PaidAsync(10m);
        var request = Refund("rf_bad", order, 1m);
        if (value is null)
        {
            request.Remove(field);
        }
        else
        {
            request[field] = value.StartsWith('@') ? new string('c', int.Parse(value[1..], System.Globalization.CultureInfo.InvariantCulture)) : value;
        }

        var answer = await RefundAsync(request);

        (answer.Code, answer.SignatureValid).ShouldBe((code, true));
        answer.Msg.ShouldContain(named);
        (await QueryAsync("rf_bad")).Code.ShouldBe(ResultCodes.RefundNotExist);
        (await _host.Merchant.QueryAsync(order)).Data.TryGetProperty("refundedAmount", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("79228162514264337593543950335")]
    [InlineData("92233720368547758.08")]
    public async Task RefundAmountNearDecimalMax_AmountInvalid_NeverASystemError(string amount)
    {
        var (order, _) = await PaidAsync(10m);
        var request = Refund("rf_huge", order, 1m);
        request["refundAmount"] = JsonNode.Parse(amount);

        var answer = await RefundAsync(request);

        (answer.Status, answer.Code, answer.SignatureValid).ShouldBe((HttpStatusCode.OK, ResultCodes.AmountInvalid, true));
        (await QueryAsync("rf_huge")).Code.ShouldBe(ResultCodes.RefundNotExist);
    }

    [Fact]
    public async Task OnlyASuccessOrderOfThisMerchant_WithSomethingPaid_CanBeRefunded()
    {
        var failed = GatewayFixture.NewId("rf");
        await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(failed, "u1", "4000000000009995"));
        var challenged = GatewayFixture.NewId("rf");
        await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(challenged, "u1", "4000000000003220"));
        var binding = GatewayFixture.NewId("rf");
        await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(binding, "u1", amount: 0m));
        var (paid, _) = await PaidAsync(10m);

        (await RefundAsync(Refund("rf_s1", failed, 1m))).Code.ShouldBe(ResultCodes.OrderStatusInvalid);
        (await RefundAsync(Refund("rf_s2", challenged, 1m))).Msg.ShouldContain("PENDING");
        var zero = await RefundAsync(Refund("rf_s3", binding, 1m));
        zero.Code.ShouldBe(ResultCodes.RefundAmountExceeded);
        zero.Msg.ShouldContain("nothing to refund");
        (await RefundAsync(Refund("rf_s4", "no_such_order", 1m))).Code.ShouldBe(ResultCodes.OrderNotExist);
        var otherMerchant = await _host.OtherMerchant.PostAsync("refund", Refund("rf_s5", paid, 1m));
        otherMerchant.Code.ShouldBe(ResultCodes.OrderNotExist);
        (await _host.OtherMerchant.PostAsync("refundQuery", new JsonObject { ["outRefundNo"] = "rf_s5" })).Code.ShouldBe(ResultCodes.RefundNotExist);
    }

    [Fact]
    public async Task AFailedRefund_EndsFailedWithItsReason_AndItsAmountCanBeRefundedAgain()
    {
        var (order, _) = await PaidAsync(10m);
        var rejected = await RefundAsync(Refund("rf_rej", order, 10m, comments: "REFUND_REJECTED"));
        rejected.DataString("status").ShouldBe(RefundStatuses.Failed);
        (await RefundAsync(Refund("rf_fail", order, 10m, comments: "REFUND_FAILED"))).DataString("status").ShouldBe(RefundStatuses.Pending);

        await SettleAsync(TimeSpan.FromSeconds(6));

        var failed = await QueryAsync("rf_fail");
        failed.DataString("status").ShouldBe(RefundStatuses.Failed);
        failed.DataString("resultMsg").ShouldContain("REFUND_FAILED");
        (await RefundAsync(Refund("rf_again", order, 10m))).DataString("status").ShouldBe(RefundStatuses.Pending, "failed refunds give their amount back");
    }

    [Fact]
    public async Task APendingRefund_StaysPendingUntilTheAcquirerSettlesIt()
    {
        var (order, _) = await PaidAsync(10m);
        await RefundAsync(Refund("rf_slow", order, 5m, comments: "REFUND_PENDING"));

        await SettleAsync(TimeSpan.FromHours(23));
        (await QueryAsync("rf_slow")).DataString("status").ShouldBe(RefundStatuses.Pending);
        await SettleAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        (await QueryAsync("rf_slow")).DataString("status").ShouldBe(RefundStatuses.Success);
    }

    [Fact]
    public async Task FinalRefund_SendsOneSignedRefundNotification_ToTheRefundsUrlOrTheMerchantsRefundUrl()
    {
        var (order, _) = await PaidAsync(10m);
        await using var own = await NotificationReceiver.StartAsync();
        var named = Refund("rf_n1", order, 2m);
        named["refundNotifyUrl"] = own.Url;
        var refundTradeNo = (await RefundAsync(named)).DataString("refundTradeNo");
        await RefundAsync(Refund("rf_n2", order, 3m, comments: "REFUND_FAILED"));

        await SettleAsync(TimeSpan.FromSeconds(6));

        var received = (await own.WaitForAsync(1)).Single();
        PayerMaxSignature.Verify(_host.PlatformPublicKey, received.Body, received.Sign).ShouldBeTrue();
        var json = received.Json;
        (json.GetProperty("notifyType").GetString(), json.GetProperty("code").GetString(), json.GetProperty("merchantNo").GetString()).ShouldBe((Wire.NotifyRefund, ResultCodes.ApplySuccess, TestKeys.MerchantNo));
        var data = json.GetProperty("data");
        (data.GetProperty("outRefundNo").GetString(), data.GetProperty("refundTradeNo").GetString(), data.GetProperty("outTradeNo").GetString(), data.GetProperty("status").GetString())
            .ShouldBe(("rf_n1", refundTradeNo, order, RefundStatuses.Success));
        (data.GetProperty("refundAmount").GetDecimal(), data.GetProperty("refundCurrency").GetString()).ShouldBe((2.00m, "USD"));
        data.GetProperty("refundFinishTime").GetString().ShouldEndWith("+00:00");
        var configured = (await _receiver.WaitForAsync(1)).Single().Json.GetProperty("data");
        (configured.GetProperty("outRefundNo").GetString(), configured.GetProperty("status").GetString()).ShouldBe(("rf_n2", RefundStatuses.Failed));
        await SettleAsync(TimeSpan.FromMinutes(1));
        own.Received.Count.ShouldBe(1);
        _receiver.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RefundsOfADeadGateway_NeverReachedFailsAfterRecoverAfter_DecidedSucceeds()
    {
        WrappedAcquirer acquirer = null!;
        await _host.DisposeAsync();
        _host = await GatewayHost.StartAsync(services: WrappedAcquirer.Install(_ => default, created => acquirer = created));
        var (order, _) = await PaidAsync(10m);
        acquirer.RefundCrash = CrashPoint.BeforeDecision;
        (await RefundAsync(Refund("rf_lost", order, 4m))).DataString("status").ShouldBe(RefundStatuses.Pending);
        acquirer.RefundCrash = CrashPoint.AfterDecision;
        (await RefundAsync(Refund("rf_kept", order, 6m))).DataString("status").ShouldBe(RefundStatuses.Pending);
        acquirer.RefundCrash = CrashPoint.None;

        await SettleAsync(TimeSpan.FromSeconds(30));
        (await QueryAsync("rf_lost")).DataString("status").ShouldBe(RefundStatuses.Pending, "asked only after RecoverAfter");
        await SettleAsync(TimeSpan.FromSeconds(31));

        var lost = await QueryAsync("rf_lost");
        (lost.DataString("status"), lost.DataString("resultMsg")).ShouldBe((RefundStatuses.Failed, "The refund never reached the acquirer; nothing was refunded."));
        (await QueryAsync("rf_kept")).DataString("status").ShouldBe(RefundStatuses.Success);
        (await _host.Merchant.QueryAsync(order)).Data.GetProperty("refundedAmount").GetDecimal().ShouldBe(6.00m);
    }

    private async Task<(string OutTradeNo, string TradeToken)> PaidAsync(decimal amount)
    {
        var order = GatewayFixture.NewId("paid");
        var answer = await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u1", amount: amount));
        answer.DataString("status").ShouldBe(OrderStatuses.Success);
        return (order, answer.DataString("tradeToken"));
    }

    private static JsonObject Refund(string outRefundNo, string outTradeNo, decimal amount, string? comments = "Customer returned the goods") => new()
    {
        ["outRefundNo"] = outRefundNo,
        ["refundAmount"] = amount,
        ["refundCurrency"] = "USD",
        ["outTradeNo"] = outTradeNo,
        ["comments"] = comments,
    };

    private Task<GatewayAnswer> RefundAsync(JsonObject data) => _host.Merchant.PostAsync("refund", data);

    private Task<GatewayAnswer> QueryAsync(string outRefundNo) => _host.Merchant.PostAsync("refundQuery", new JsonObject { ["outRefundNo"] = outRefundNo });

    private Task<GatewayAnswer> QueryByTradeNoAsync(string refundTradeNo) => _host.Merchant.PostAsync("refundQuery", new JsonObject { ["refundTradeNo"] = refundTradeNo });

    // Moves the clock on and runs the refund settlement that asks the acquirer about pending refunds (the timer may run it too).
    private async Task SettleAsync(TimeSpan by)
    {
        _host.Clock.Advance(by);
        await ((RefundSettlement)_host.App.Services.GetService(typeof(RefundSettlement))!).RunDueAsync(CancellationToken.None);
    }
}
