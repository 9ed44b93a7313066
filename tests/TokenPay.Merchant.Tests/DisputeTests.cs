using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Merchant.Disputes;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// The dispute inbox (docs/disputes.md): CHARGEBACK notifications applied once whatever their order, FRAUD cases that
/// stop charges without the customer, answers, and reconciliation with caseList.
/// </summary>
public sealed class DisputeTests : IAsyncLifetime
{
    private readonly CaseDesk _desk = new();
    private GatewayHost _gateway = null!;
    private MerchantHost _merchant = null!;

    public async Task InitializeAsync()
    {
        // The clock jumps days: the gateway's sweep runs hourly, not every 10 s of the jump.
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Orders:ExpirySweepInterval"] = "01:00:00", ["Gateway:Orders:RecoverAfter"] = "02:00:00" });
        _merchant = await MerchantHost.StartAsync(_gateway, new Dictionary<string, string?> { ["Merchant:SmartRetries:PollInterval"] = "40.00:00:00" },
            s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => _desk)));
    }

    public async Task DisposeAsync()
    {
        await _merchant.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task DuplicatedAndReorderedNotifications_AreAppliedOnce_AndACaseNeverGoesBack()
    {
        string[] arrival = ["DISPUTE_INQUIRY", "DISPUTE_INQUIRY", "DISPUTE_END", "DISPUTE_RECEIVED", "DISPUTE_END"];
        foreach (var status in arrival)
        {
            var view = CaseDesk.Case("D1", status, "shop_d1", result: status == "DISPUTE_END" ? "FAIL" : null);
            var happened = status switch { "DISPUTE_INQUIRY" => "2026-11-22", "DISPUTE_RECEIVED" => "2026-11-23", _ => "2026-12-03" };
            using var response = await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(view, $"{happened}T08:00:00.000+00:00"));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var details = (await Disputes.DetailsAsync("D1", default))!;
        (details.Case.Status, details.Case.CaseResult, details.Case.CanAnswer).ShouldBe(("DISPUTE_END", "FAIL", false));
        (details.Case.Amount, details.Case.Fee, details.Case.LostCost).ShouldBe((10.00m, 0.15m, 10.15m), "a lost case costs the amount and the fee");
        details.Timeline.Select(e => e.Status).ShouldBe(["DISPUTE_INQUIRY", "DISPUTE_RECEIVED", "DISPUTE_END"], "the late RECEIVED joins the timeline only, in its place");
        (await _merchant.ScalarAsync("SELECT COUNT(*) FROM notification_inbox WHERE notify_type = 'CHARGEBACK'")).ShouldBe(3);
    }

    [Fact]
    public async Task AFraudCase_StopsTheCardsRetries_AndRefusesNewChargesBeforeSending()
    {
        var token = await SeedAsync("dora", "4000000000000259");
        var declined = await ChargeAsync("c-before");
        declined.NextRetryAt.ShouldNotBeNull("a MAC 25 decline is retried a day later");

        using (await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(CaseDesk.Case("D2", "DISPUTE_INQUIRY", "shop_elsewhere", token, "FRAUD"))))
        {
        }

        var card = (await _merchant.Service<WalletService>().FindAsync(token, default))!;
        card.FraudCaseId.ShouldBe("D2");
        card.Attention.ShouldNotBeNull().ShouldContain("fraud (case D2)");
        var history = (await _merchant.Service<ChargeService>().HistoryAsync("c-before", default))!;
        (history.NextRetryAt, history.RetryNote).ShouldBe((null, "No more retries: the cardholder disputed a payment on this card as fraud (case D2)."));
        _gateway.Clock.Advance(TimeSpan.FromDays(2));
        (await _merchant.Service<ChargeRetrier>().RunDueAsync(default)).Sent.ShouldBe(0);

        var mitsBefore = await GatewayMitOrdersAsync();
        var refused = await ChargeAsync("c-after");
        (refused.Status, refused.ResultCode).ShouldBe((PaymentStatuses.Refused, NotSentCodes.CardDisputedAsFraud));
        refused.ResultMsg.ShouldNotBeNull().ShouldContain("case D2");
        (await GatewayMitOrdersAsync()).ShouldBe(mitsBefore, "nothing was sent");
    }

    [Fact]
    public async Task AFraudCaseWithoutAToken_FindsTheCardThroughItsPayment()
    {
        var token = await SeedAsync("dora", "4444333322221111");
        var paid = await ChargeAsync("c-paid");
        paid.Status.ShouldBe(PaymentStatuses.Success);

        using (await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(CaseDesk.Case("D3", "DISPUTE_INQUIRY", paid.OutTradeNo, paymentTokenId: null, reason: "FRAUD"))))
        {
        }

        (await Disputes.DetailsAsync("D3", default))!.Card!.PaymentTokenId.ShouldBe(token);
        (await ChargeAsync("c-next")).ResultCode.ShouldBe(NotSentCodes.CardDisputedAsFraud);
    }

    [Fact]
    public async Task AFraudStop_EndsWhenTheCustomerPaysWithTheCardAndSavesItAgain()
    {
        var token = await SeedAsync("dora", "4444333322221111");
        using (await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(CaseDesk.Case("D11", "DISPUTE_INQUIRY", "shop_elsewhere", token, "FRAUD"))))
        {
        }

        var payments = _merchant.Service<PaymentStore>();
        await payments.TryCreateAsync(new Payment
        {
            OutTradeNo = "shop_again", Kind = PaymentKinds.Checkout, UserId = "dora", AmountMinor = 500, Currency = "USD", SavesCard = true, SaveMitType = "UNSCHEDULED",
            Status = PaymentStatuses.Pending, CreatedAt = 0, UpdatedAt = 0,
        }, default);
        await payments.ApplyAsync(new OrderUpdate("shop_again", PaymentStatuses.Success, "T_again", null, null, token, "VISA", "444433******1111"), default);

        var card = (await _merchant.Service<WalletService>().FindAsync(token, default))!;
        (card.FraudCaseId, card.Attention).ShouldBe((null, null));
        (await ChargeAsync("c-after-resave")).Status.ShouldBe(PaymentStatuses.Success);
    }

    [Fact]
    public async Task AnAnswer_IsCheckedTakenOnce_AndRefusedOnceTheCaseCannotTakeIt()
    {
        _desk.Put(CaseDesk.Case("D4", "DISPUTE_INQUIRY", "shop_d4"));
        await Disputes.RefreshAsync("D4", default);
        string[] evidence = ["https://shop.example/evidence/delivery.pdf"];

        (await Disputes.ReplyAsync("D4", "", evidence, default)).Field.ShouldBe("responseContent");
        (await Disputes.ReplyAsync("D4", "Delivered", ["http://shop.example/a.pdf"], default)).Field.ShouldBe("representmentFile");
        (await Disputes.ReplyAsync("D4", "Delivered", ["https://shop.example/a.exe"], default)).Outcome.ShouldBe(DisputeReplyOutcome.Invalid);
        (await Disputes.ReplyAsync("D9", "Delivered", evidence, default)).Outcome.ShouldBe(DisputeReplyOutcome.NotFound);
        _desk.Replays.ShouldBeEmpty();

        var taken = await Disputes.ReplyAsync("D4", "Delivered and signed for.", evidence, default);
        var again = await Disputes.ReplyAsync("D4", "Delivered and signed for.", evidence, default);
        var other = await Disputes.ReplyAsync("D4", "Something else.", evidence, default);

        (taken.Outcome, again.Outcome, other.Outcome).ShouldBe((DisputeReplyOutcome.Taken, DisputeReplyOutcome.Taken, DisputeReplyOutcome.Refused));
        other.Message.ShouldContain("already answered");
        _desk.Replays.Count.ShouldBe(1, "the double submit was not sent again");
        var details = taken.Details!;
        (details.Case.Status, details.AnswerContent).ShouldBe(("DISPUTE_RECEIVED", "Delivered and signed for."));
        details.AnswerFiles.ShouldBe(evidence);
        details.Timeline.Select(e => e.Status).ShouldBe(["DISPUTE_INQUIRY", "DISPUTE_RECEIVED"]);
    }

    [Fact]
    public async Task AnAnswerAfterTheExpirationDate_IsRefusedWithoutAskingTheGateway()
    {
        _desk.Put(CaseDesk.Case("D5", "DISPUTE_INQUIRY", "shop_d5"));
        await Disputes.RefreshAsync("D5", default);
        _gateway.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromHours(17));   // 2026-12-07: the day after the last one
        var reply = await Disputes.ReplyAsync("D5", "Delivered", [], default);

        (reply.Outcome, reply.Message).ShouldBe((DisputeReplyOutcome.Refused, "Case D5 can no longer be answered: its answer window ended with 2026-12-06 (UTC)."));
        reply.Details!.Case.CanAnswer.ShouldBeFalse();
        _desk.Replays.ShouldBeEmpty();
    }

    [Fact]
    public async Task ACaseWhoseNotificationWasLost_IsFoundByTheSync_FromTheKeptCursor()
    {
        var sync = _merchant.Service<DisputeSync>();
        _desk.Put(CaseDesk.Case("D6", "DISPUTE_INQUIRY", "shop_d6"));
        using (await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(CaseDesk.Case("D7", "DISPUTE_INQUIRY", "shop_d7"))))
        {
        }

        _desk.Put(CaseDesk.Case("D7", "DISPUTE_INQUIRY", "shop_d7"));
        (await sync.SyncAsync(default)).ShouldBe(new DisputeSyncSummary(2, 1), "D7 was known from its notification");
        (await Disputes.DetailsAsync("D6", default))!.Case.Status.ShouldBe("DISPUTE_INQUIRY");

        _desk.Put(CaseDesk.Case("D6", "CASE_CANCEL", "shop_d6"));
        (await sync.SyncAsync(default)).ShouldBe(new DisputeSyncSummary(1, 1));
        ((string?)_desk.Lists[^1]["cursor"]).ShouldBe("2", "the next pass starts where the last one ended");
        (await Disputes.DetailsAsync("D6", default))!.Case.Status.ShouldBe("CASE_CANCEL");
        (await _merchant.ScalarTextAsync("SELECT cursor FROM dispute_sync")).ShouldBe("3");
    }

    [Fact]
    public async Task TheApi_ListsShowsAndAnswers_RefusingWhatTheCaseCannotTake()
    {
        using (await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(CaseDesk.Case("D8", "DISPUTE_INQUIRY", "shop_d8"))))
        using (await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(CaseDesk.Case("D9", "DISPUTE_END", "shop_d9", result: "FAIL"))))
        {
        }

        _desk.Put(CaseDesk.Case("D8", "DISPUTE_INQUIRY", "shop_d8"));
        var open = await _merchant.Api.GetFromJsonAsync<JsonElement>("/api/disputes?status=open");
        open.EnumerateArray().Select(c => c.GetProperty("caseId").GetString()).ShouldBe(["D8"]);
        var closed = (await _merchant.Api.GetFromJsonAsync<JsonElement>("/api/disputes?status=closed"))[0];
        (closed.GetProperty("caseId").GetString(), closed.GetProperty("lostCost").GetDecimal()).ShouldBe(("D9", 10.15m));
        using (var bad = await _merchant.Api.GetAsync("/api/disputes?status=pending"))
        {
            bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        var shown = await _merchant.Api.GetFromJsonAsync<JsonElement>("/api/disputes/D8");
        (shown.GetProperty("case").GetProperty("canAnswer").GetBoolean(), shown.GetProperty("timeline").GetArrayLength()).ShouldBe((true, 1));
        using (var missing = await _merchant.Api.GetAsync("/api/disputes/D404"))
        {
            missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var answer = new { responseContent = "Delivered and signed for.", representmentFile = new[] { "https://shop.example/pod.pdf" } };
        using var invalid = await _merchant.Api.PostAsJsonAsync("/api/disputes/D8/reply", new { responseContent = "", representmentFile = Array.Empty<string>() });
        using var taken = await _merchant.Api.PostAsJsonAsync("/api/disputes/D8/reply", answer);
        using var twice = await _merchant.Api.PostAsJsonAsync("/api/disputes/D8/reply", answer);
        using var ruled = await _merchant.Api.PostAsJsonAsync("/api/disputes/D9/reply", answer);

        (invalid.StatusCode, taken.StatusCode, twice.StatusCode, ruled.StatusCode).ShouldBe((HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict));
        (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString().ShouldBe("responseContent");
        (await ruled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().ShouldBe("Case D9 is DISPUTE_END: only a case in DISPUTE_INQUIRY can be answered.");
        _desk.Replays.Count.ShouldBe(1);
    }

    [Fact]
    public async Task TheOperatorPage_ShowsTheCaseAndItsDeadline_AndAnswersIt()
    {
        using (await CaseDesk.PostSignedAsync(_merchant, CaseDesk.Notification(CaseDesk.Case("D10", "DISPUTE_INQUIRY", "shop_d10"))))
        {
        }

        _desk.Put(CaseDesk.Case("D10", "DISPUTE_INQUIRY", "shop_d10"));
        using var session = new PageSession(_merchant.BaseUrl);
        await session.GetAsync("/shop/operator/login");
        await session.PostFormAsync("/shop/operator/login", [new("user", "operator"), new("password", MerchantHost.OperatorPassword)]);
        var list = await session.GetAsync("/shop/operator/disputes?status=open");
        list.Body.ShouldContain("data-case=\"D10\"");
        list.Body.ShouldContain("answer by 2026-12-06");
        var page = await session.GetAsync("/shop/operator/disputes/D10");
        page.Body.ShouldContain("Answer by the end of 2026-12-06 (UTC)");
        page.Body.ShouldContain("href=\"/shop/operator/disputes\">Disputes</a>");

        var bad = await session.PostFormAsync("/shop/operator/disputes/D10/reply", [new("responseContent", "Delivered"), new("representmentFile", "ftp://shop.example/pod.pdf")]);
        bad.Status.ShouldBe(HttpStatusCode.BadRequest);
        bad.Body.ShouldContain("aria-describedby=\"hint-reply-files\"");
        bad.Body.ShouldContain("ftp://shop.example/pod.pdf</textarea>");
        var answered = await session.PostFormAsync("/shop/operator/disputes/D10/reply", [new("responseContent", "Delivered"), new("representmentFile", "https://shop.example/pod.pdf\r\nhttps://shop.example/invoice.xlsx")]);

        answered.Status.ShouldBe(HttpStatusCode.OK);
        answered.Body.ShouldContain("id=\"reply-result\"");
        answered.Body.ShouldNotContain("id=\"reply-form\"");
        _desk.Replays.Single()["representmentFile"]!.AsArray().Select(f => (string?)f).ShouldBe(["https://shop.example/pod.pdf", "https://shop.example/invoice.xlsx"]);
        (await session.PostFormAsync("/shop/operator/disputes/D10/reply", [new("responseContent", "Delivered")], withToken: false)).Status.ShouldBe(HttpStatusCode.Forbidden);
    }

    private DisputeService Disputes => _merchant.Service<DisputeService>();

    private async Task<string> SeedAsync(string user, string pan)
    {
        var token = await Shared.SaveCardAsync(_gateway, user, pan);
        await _merchant.Service<WalletService>().SyncAsync(user, default);
        return token;
    }

    private Task<ChargeResult> ChargeAsync(string chargeId) =>
        _merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("dora", 5m, "USD", "Top-up", chargeId), default);

    private Task<long> GatewayMitOrdersAsync() => _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1");
}
