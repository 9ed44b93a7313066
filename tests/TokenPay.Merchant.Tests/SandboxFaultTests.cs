using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Hosting;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// The sandbox's failure rules (docs/sandbox.md) against the real merchant service and its SDK, on one sandbox
/// clock: each failure fires, shows in the event log, and the merchant ends where it should.
/// </summary>
public sealed class SandboxFaultTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private MerchantHost _merchant = null!;
    private SandboxClock _clock = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Sandbox:Enabled"] = "true" });
        _clock = _gateway.App.Services.GetRequiredService<SandboxClock>();
        _merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.AddSingleton<TimeProvider>(_clock));
        _clock.Attach(_merchant.App.Services.GetServices<IScheduledWork>());
    }

    public async Task DisposeAsync()
    {
        await _merchant.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Theory]
    [InlineData("close")]
    [InlineData("502")]
    public async Task AnswerLostAfterCommit_TheSdkQueriesByOutTradeNoAndTheChargeIsMadeOnce(string answer)
    {
        var user = await SeedAsync("lost" + answer);
        await AddFaultAsync(new { kind = "api.lost-answer", userId = user, answer });

        var charge = await ChargeAsync(user, "c-lost-" + answer);

        charge.Status.ShouldBe(OrderStatuses.Success);
        (await GatewayOrdersOfAsync(user)).ShouldBe(1);
        (await FiredAsync("api.lost-answer")).ShouldBe(1);
    }

    [Fact]
    public async Task TooManyRequests_NothingIsStoredAndChargingAgainWithTheSameIdSendsIt()
    {
        var user = await SeedAsync("busy");
        await AddFaultAsync(new { kind = "api.too-many-requests", userId = user });

        var first = await ChargeAsync(user, "c-busy");
        var second = await ChargeAsync(user, "c-busy");

        first.Status.ShouldBe(PaymentStatuses.Created);
        first.ResultCode.ShouldBe(ResultCodes.TooManyRequest);
        second.Status.ShouldBe(OrderStatuses.Success);
        second.OutTradeNo.ShouldBe(first.OutTradeNo);
        (await GatewayOrdersOfAsync(user)).ShouldBe(1);
    }

    [Fact]
    public async Task ApiAndAcquirerLatency_SlowButCorrect()
    {
        var user = await SeedAsync("slow");
        await AddFaultAsync(new { kind = "api.latency", userId = user, latency = "00:00:00.200" });
        await AddFaultAsync(new { kind = "acquirer.latency", userId = user, latency = "00:00:00.200" });

        (await ChargeAsync(user, "c-slow")).Status.ShouldBe(OrderStatuses.Success);

        (await FiredAsync("api.latency")).ShouldBe(1);
        (await FiredAsync("acquirer.latency")).ShouldBe(1);
    }

    [Fact]
    public async Task DeclinedTwiceThenApproved_SmartRetriesSucceedOnTheThirdAttemptAsTheClockMoves()
    {
        var user = await SeedAsync("retry");
        var decline = new { result = "DECLINE", code = ResultCodes.BalanceInsufficient, category = 2 };
        await AddFaultAsync(new { kind = "acquirer.outcomes", userId = user, outcomes = new object[] { decline, decline, new { result = "APPROVE" } } });

        var first = await ChargeAsync(user, "c-retry");
        first.Status.ShouldBe(OrderStatuses.Failed);
        first.ResultCode.ShouldBe(ResultCodes.BalanceInsufficient);

        await MoveAsync("4.00:00:00");

        (await _merchant.ScalarAsync($"SELECT COUNT(*) FROM payments WHERE user_id = '{user}'")).ShouldBe(3);
        (await _merchant.ScalarTextAsync($"SELECT status FROM payments WHERE user_id = '{user}' ORDER BY attempt DESC LIMIT 1")).ShouldBe(OrderStatuses.Success);
        (await FiredAsync("acquirer.outcomes")).ShouldBe(3);
    }

    [Fact]
    public async Task AcquirerAnswerLostAfterApproval_OrderStaysPendingThenRecoveryAndTheNotificationSettleTheMerchant()
    {
        var user = await SeedAsync("timeout");
        await AddFaultAsync(new { kind = "acquirer.timeout-after-approval", userId = user });

        var charge = await ChargeAsync(user, "c-timeout");
        charge.Status.ShouldBe(OrderStatuses.Pending);

        await MoveAsync("00:02:00");

        (await PaymentStatusAsync(charge.OutTradeNo)).ShouldBe(OrderStatuses.Success);
        (await _gateway.Merchant.QueryAsync(charge.OutTradeNo)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await GatewayOrdersOfAsync(user)).ShouldBe(1);
    }

    [Fact]
    public async Task PendingUntilASetTime_CompletesThenAndNotBefore()
    {
        var user = await SeedAsync("until");
        await AddFaultAsync(new { kind = "acquirer.pending-until", userId = user, until = _clock.GetUtcNow().AddMinutes(20).ToString("O") });

        var charge = await ChargeAsync(user, "c-until");
        await MoveAsync("00:10:00");
        var before = await PaymentStatusAsync(charge.OutTradeNo);
        await MoveAsync("00:15:00");

        charge.Status.ShouldBe(OrderStatuses.Pending);
        before.ShouldBe(OrderStatuses.Pending);
        (await PaymentStatusAsync(charge.OutTradeNo)).ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task NotificationDropped_TheRetry30SecondsLaterDeliversIt()
    {
        var user = await SeedAsync("drop");
        await AddFaultAsync(new { kind = "acquirer.timeout-after-approval", userId = user });
        await AddFaultAsync(new { kind = "notification.drop", userId = user });
        var charge = await ChargeAsync(user, "c-drop");

        await MoveAsync("00:02:00");

        (await AttemptsAsync(charge.OutTradeNo, "COALESCE(a.error, 'ok')")).ShouldBe(["dropped by sandbox fault flt_2", "ok"]);
        (await InboxAsync(charge.OutTradeNo)).ShouldBe(1);
        (await PaymentStatusAsync(charge.OutTradeNo)).ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task NotificationDuplicated_TheInboxTakesItOnce()
    {
        var user = await SeedAsync("dup");
        await AddFaultAsync(new { kind = "notification.duplicate", userId = user });

        var charge = await ChargeAsync(user, "c-dup");
        await Eventually.UntilAsync(() => FiredAsync("notification.duplicate"), n => n == 1, "the duplicated delivery");
        await Eventually.UntilAsync(() => AttemptsAsync(charge.OutTradeNo, "a.http_status"), a => a.Count == 1, "the recorded attempt");

        (await InboxAsync(charge.OutTradeNo)).ShouldBe(1);
        (await PaymentStatusAsync(charge.OutTradeNo)).ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task NotificationDelayedSixHours_TheReconcilerSettlesFirstAndTheLateOneChangesNothing()
    {
        var user = await SeedAsync("late");
        await AddFaultAsync(new { kind = "acquirer.timeout-after-approval", userId = user });
        await AddFaultAsync(new { kind = "notification.delay", userId = user, delay = "06:00:00" });
        var charge = await ChargeAsync(user, "c-late");

        await MoveAsync("00:30:00");
        var beforeNotification = await PaymentStatusAsync(charge.OutTradeNo);
        var attemptsBefore = (await AttemptsAsync(charge.OutTradeNo, "a.http_status")).Count;
        await MoveAsync("06:00:00");

        beforeNotification.ShouldBe(OrderStatuses.Success, "the reconciler asked orderQuery after Merchant:ReconcileAfter");
        attemptsBefore.ShouldBe(0);
        (await AttemptsAsync(charge.OutTradeNo, "a.http_status")).ShouldBe(["200"]);
        (await PaymentStatusAsync(charge.OutTradeNo)).ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task NotificationOutOfOrder_ALaterOneOvertakesItAndBothSettle()
    {
        var held = await SeedAsync("held");
        var other = await SeedAsync("other");
        await AddFaultAsync(new { kind = "notification.out-of-order", userId = held });

        var first = await ChargeAsync(held, "c-held");
        var second = await ChargeAsync(other, "c-other");
        await Eventually.UntilAsync(() => InboxAsync(first.OutTradeNo), n => n == 1, "the held-back notification, once overtaken");

        var arrival = await _merchant.ScalarAsync($"SELECT id FROM notification_inbox WHERE out_trade_no = '{first.OutTradeNo}'");
        var overtaker = await _merchant.ScalarAsync($"SELECT id FROM notification_inbox WHERE out_trade_no = '{second.OutTradeNo}'");
        overtaker.ShouldBeLessThan(arrival);
        (await PaymentStatusAsync(first.OutTradeNo)).ShouldBe(OrderStatuses.Success);
        (await PaymentStatusAsync(second.OutTradeNo)).ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task NotificationWithABadSignature_TheMerchantRefusesItAndTheRetryIsTaken()
    {
        var user = await SeedAsync("forged");
        await AddFaultAsync(new { kind = "notification.bad-signature", userId = user });
        var charge = await ChargeAsync(user, "c-forged");
        await Eventually.UntilAsync(() => AttemptsAsync(charge.OutTradeNo, "a.http_status"), a => a.Count == 1, "the first attempt");
        (await InboxAsync(charge.OutTradeNo)).ShouldBe(0);

        await MoveAsync("00:01:00");

        (await AttemptsAsync(charge.OutTradeNo, "a.http_status")).ShouldBe(["401", "200"]);
        (await InboxAsync(charge.OutTradeNo)).ShouldBe(1);
    }

    [Theory]
    [InlineData("""{"kind":"api.explode"}""", "kind")]
    [InlineData("""{"kind":"acquirer.outcomes","outcomes":[{"result":"DECLINE","code":"NOPE"}]}""", "outcomes[0].code")]
    [InlineData("""{"kind":"acquirer.outcomes","outcomes":[{"result":"DECLINE","code":"BALANCE_INSUFFICIENT","category":7}]}""", "category")]
    [InlineData("""{"kind":"acquirer.outcomes"}""", "outcomes")]
    [InlineData("""{"kind":"api.latency","latency":"forever"}""", "latency")]
    [InlineData("""{"kind":"notification.delay"}""", "delay")]
    [InlineData("""{"kind":"acquirer.pending-until","until":"tomorrow"}""", "until")]
    [InlineData("""{"kind":"api.lost-answer","answer":"404"}""", "answer")]
    [InlineData("""{"kind":"api.lost-answer","uses":0}""", "uses")]
    [InlineData("""{"kind":"api.lost-answer","colour":"red"}""", "colour")]
    [InlineData("""[1]""", "JSON object")]
    [InlineData("""{""", "JSON object")]
    public async Task BadRules_AreRefusedNamingTheFieldAndNothingIsSet(string body, string named)
    {
        using var answer = await _gateway.Http.PostAsync("/sandbox/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!.ShouldContain(named);
        (await _gateway.Http.GetFromJsonAsync<JsonElement>("/sandbox/faults")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task ARuleIsGoneAfterItsUses_AndCanBeRemovedBefore()
    {
        var user = await SeedAsync("uses");
        var twice = await AddFaultAsync(new { kind = "api.latency", userId = user, latency = "00:00:00.010", uses = 2 });
        var removed = await AddFaultAsync(new { kind = "api.too-many-requests", userId = "nobody" });

        (await _gateway.Http.DeleteAsync($"/sandbox/faults/{removed}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await ChargeAsync(user, "c-uses-1");
        await ChargeAsync(user, "c-uses-2");
        await ChargeAsync(user, "c-uses-3");

        (await FiredAsync("api.latency")).ShouldBe(2);
        (await _gateway.Http.GetFromJsonAsync<JsonElement>("/sandbox/faults")).EnumerateArray().Select(r => r.GetProperty("id").GetString()).ShouldNotContain(twice);
        (await _gateway.Http.DeleteAsync($"/sandbox/faults/{removed}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<string> SeedAsync(string name)
    {
        var user = $"{name}_{Guid.NewGuid():N}"[..(name.Length + 9)];
        await Shared.SaveCardAsync(_gateway, user);
        await _merchant.Service<WalletService>().SyncAsync(user, default);
        return user;
    }

    private Task<ChargeResult> ChargeAsync(string user, string chargeId) =>
        _merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest(user, 12.50m, "USD", "Sandbox test", $"{chargeId}-{user}"), default);

    private async Task<string> AddFaultAsync(object rule)
    {
        using var answer = await _gateway.Http.PostAsJsonAsync("/sandbox/faults", rule);
        answer.StatusCode.ShouldBe(HttpStatusCode.Created, await answer.Content.ReadAsStringAsync());
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task MoveAsync(string advance)
    {
        using var answer = await _gateway.Http.PostAsJsonAsync("/sandbox/clock", new { advance });
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
    }

    private async Task<int> FiredAsync(string kind) =>
        (await _gateway.Http.GetFromJsonAsync<JsonElement>("/admin/log")).EnumerateArray()
            .Count(e => e.GetProperty("kind").GetString() == "fault.fired" && e.GetProperty("data").GetProperty("kind").GetString() == kind);

    private Task<long> GatewayOrdersOfAsync(string user) => _gateway.ScalarAsync($"SELECT COUNT(*) FROM orders WHERE user_id = '{user}' AND merchant_initiated = 1");

    private Task<string?> PaymentStatusAsync(string outTradeNo) => _merchant.ScalarTextAsync($"SELECT status FROM payments WHERE out_trade_no = '{outTradeNo}'");

    private Task<long> InboxAsync(string outTradeNo) => _merchant.ScalarAsync($"SELECT COUNT(*) FROM notification_inbox WHERE out_trade_no = '{outTradeNo}' AND notify_type = 'PAYMENT'");

    private async Task<IReadOnlyList<string>> AttemptsAsync(string outTradeNo, string column) =>
        await _gateway.TextColumnAsync($"SELECT CAST({column} AS TEXT) FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{outTradeNo}' AND n.notify_type = 'PAYMENT' ORDER BY a.attempt");
}
