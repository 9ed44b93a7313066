using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Acquiring;
using TokenPay.Gateway.Disputes;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Tests.Disputes;

/// <summary>
/// Disputes (docs/disputes.md) against a real gateway: the acquirer at the edge reports cases (in order, repeated,
/// out of order), the merchant answers, and the order's money and the CHARGEBACK notifications follow.
/// </summary>
public sealed class DisputeTests : IAsyncLifetime
{
    private const string User = "u1";
    private static readonly string[] Evidence = ["https://shop.example/evidence/receipt.pdf", "https://shop.example/evidence/delivery.PNG"];

    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;
    private DisputingAcquirer _acquirer = null!;
    private int _reports;

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        _host = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { ["Gateway:Merchants:0:DisputeNotifyUrl"] = _receiver.Url },
            services: DisputingAcquirer.Install(created => _acquirer = created));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task RaisedAnsweredWonClosed_FreezesThenReleases_OneSignedNotificationPerStatus()
    {
        var (order, tradeToken) = await PaidAsync(10m);
        await ReportAsync(Report("C1", tradeToken, DisputeStage.Raised));

        var raised = (await ChargebacksAsync(1)).Single();
        PayerMaxSignature.Verify(_host.PlatformPublicKey, raised.Body, raised.Sign).ShouldBeTrue();
        var caseId = raised.Json.GetProperty("data").GetProperty("caseId").GetString()!;
        caseId.ShouldMatch("^D[0-9]{25}$");
        var found = await SearchAsync(caseId);
        (found.DataString("status"), found.DataString("outTradeNo"), found.DataString("tradeToken"), found.DataString("outUserId")).ShouldBe((DisputeStatuses.Inquiry, order, tradeToken, User));
        (found.DataString("amount"), found.DataString("fee"), found.DataString("totalAmount"), found.DataString("reasonCategory")).ShouldBe(("10.00", "0.15", "10.15", DisputeReasons.Fraud));
        (found.DataString("retrievalDate"), found.DataString("expirationDate"), found.DataString("paymentMethodType")).ShouldBe(("2026-11-22", "2026-12-06", Wire.Card));
        (await AmountsAsync(order)).ShouldBe((10.00m, null, null));
        var refused = await RefundAsync(order, 1m);
        refused.Code.ShouldBe(ResultCodes.RefundAmountExceeded);
        refused.Msg.ShouldContain("10.00 USD frozen by an open dispute");

        var answer = await ReplayAsync(Replay(caseId));
        (answer.Code, answer.Data.GetProperty("successCaseIds")[0].GetString(), answer.Data.GetProperty("failCaseIds").GetArrayLength()).ShouldBe((ResultCodes.ApplySuccess, caseId, 0));
        _acquirer.Evidence.Single().ShouldSatisfyAllConditions(e => e.CaseId.ShouldBe("C1"), e => e.FileUrls.ShouldBe(Evidence), e => e.Text.ShouldBe("Signed delivery receipt attached."));
        (await SearchAsync(caseId)).DataString("status").ShouldBe(DisputeStatuses.Received);

        await ReportAsync(Report("C1", tradeToken, DisputeStage.Ruled, won: true));
        var won = await SearchAsync(caseId);
        (won.DataString("status"), won.DataString("caseResult")).ShouldBe((DisputeStatuses.End, CaseResults.Win));
        (await AmountsAsync(order)).ShouldBe((null, null, null));
        (await RefundAsync(order, 1m)).Code.ShouldBe(ResultCodes.ApplySuccess, "a won case is refundable again");
        await ReportAsync(Report("C1", tradeToken, DisputeStage.Closed, won: true));

        var statuses = (await ChargebacksAsync(4)).Select(n => n.Json.GetProperty("data").GetProperty("status").GetString());
        statuses.ShouldBe([DisputeStatuses.Inquiry, DisputeStatuses.Received, DisputeStatuses.End, DisputeStatuses.Closed]);
        (await SearchAsync(caseId)).DataString("caseResult").ShouldBe(CaseResults.Win);
    }

    [Fact]
    public async Task RaisedThenLostUnanswered_ChargesTheAmountBack_AndRefundsAreRefusedNamingIt()
    {
        var (order, tradeToken) = await PaidAsync(10m);
        await ReportAsync(Report("C2", tradeToken, DisputeStage.Raised));
        await ReportAsync(Report("C2", tradeToken, DisputeStage.Ruled, won: false));

        var caseId = await OnlyCaseIdAsync();
        var lost = await SearchAsync(caseId);
        (lost.DataString("status"), lost.DataString("caseResult")).ShouldBe((DisputeStatuses.End, CaseResults.Fail));
        (await AmountsAsync(order)).ShouldBe((null, 10.00m, null));
        var refused = await RefundAsync(order, 0.01m);
        refused.Code.ShouldBe(ResultCodes.RefundAmountExceeded);
        refused.Msg.ShouldContain("10.00 USD charged back");
        var late = await ReplayAsync(Replay(caseId));
        (late.Code, late.Msg).ShouldBe((ResultCodes.CaseStatusInvalid, $"Case {caseId} is DISPUTE_END: it takes no answer any more."));
    }

    [Fact]
    public async Task CancelledByTheCardholder_ReleasesTheAmount_AndTakesNoAnswer()
    {
        var (order, tradeToken) = await PaidAsync(10m);
        await ReportAsync(Report("C3", tradeToken, DisputeStage.Raised));
        await ReportAsync(Report("C3", tradeToken, DisputeStage.Cancelled));

        var caseId = await OnlyCaseIdAsync();
        (await SearchAsync(caseId)).DataString("status").ShouldBe(DisputeStatuses.Cancelled);
        (await AmountsAsync(order)).ShouldBe((null, null, null));
        (await ReplayAsync(Replay(caseId))).Code.ShouldBe(ResultCodes.CaseStatusInvalid);
        (await ChargebacksAsync(2)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task RepeatedAndReorderedReports_AreAppliedOnce_TheCaseNeverGoesBack()
    {
        var (order, tradeToken) = await PaidAsync(10m);
        var raised = Report("C4", tradeToken, DisputeStage.Raised);
        var ruled = Report("C4", tradeToken, DisputeStage.Ruled, won: false);
        var closed = Report("C4", tradeToken, DisputeStage.Closed, won: false);

        await ReportAsync(ruled, raised, raised);
        await ReportAsync(closed, ruled);
        await ReportAsync(raised, closed);

        var caseId = await OnlyCaseIdAsync();
        var final = await SearchAsync(caseId);
        (final.DataString("status"), final.DataString("caseResult")).ShouldBe((DisputeStatuses.Closed, CaseResults.Fail));
        (await AmountsAsync(order)).ShouldBe((null, 10.00m, null));
        (await _host.ScalarAsync("SELECT COUNT(*) FROM dispute_events")).ShouldBe(3, "one timeline row per report");
        _acquirer.Unacknowledged.ShouldBe(0);
        await Task.Delay(300);
        var statuses = (await ChargebacksAsync(2)).Select(n => n.Json.GetProperty("data").GetProperty("status").GetString());
        statuses.ShouldBe([DisputeStatuses.End, DisputeStatuses.Closed], "the late raise is not told: the case is past it");
    }

    [Fact]
    public async Task ACaseForMoreThanIsLeft_FreezesOnlyWhatIsLeft_AndAWinReleasesIt()
    {
        var (order, tradeToken) = await PaidAsync(10m);
        (await RefundAsync(order, 7m)).Code.ShouldBe(ResultCodes.ApplySuccess);
        await ReportAsync(Report("C5", tradeToken, DisputeStage.Raised));

        var caseId = await OnlyCaseIdAsync();
        (await SearchAsync(caseId)).DataString("amount").ShouldBe("3.00");
        (await AmountsAsync(order)).ShouldBe((3.00m, null, 7.00m));
        (await RefundAsync(order, 0.01m)).Code.ShouldBe(ResultCodes.RefundAmountExceeded);

        await ReportAsync(Report("C5", tradeToken, DisputeStage.Ruled, won: true));

        (await RefundAsync(order, 3m)).Code.ShouldBe(ResultCodes.ApplySuccess);
        (await AmountsAsync(order)).ShouldBe((null, null, 10.00m));
    }

    [Theory]
    [InlineData("caseId", null, "caseId")]
    [InlineData("caseId", "@65", "caseId")]
    [InlineData("batchId", "B1", "batchId")]
    [InlineData("outUserId", null, "outUserId")]
    [InlineData("responseContent", null, "responseContent")]
    [InlineData("responseContent", "@257", "responseContent")]
    [InlineData("representmentFile", "[]", "representmentFile")]
    [InlineData("representmentFile", "[11]", "representmentFile")]
    [InlineData("representmentFile", "\"https://shop.example/a.pdf\"", "representmentFile")]
    [InlineData("representmentFile", "[\"http://shop.example/a.pdf\"]", "representmentFile[0]")]
    [InlineData("representmentFile", "[\"https://shop.example/a.pdf\", \"https://shop.example/a.exe\"]", "representmentFile[1]")]
    [InlineData("representmentFile", "[\"https://shop.example/evidence/\"]", "representmentFile[0]")]
    [InlineData("representmentFile", "[\"not a link.pdf\"]", "representmentFile[0]")]
    [InlineData("representmentFile", "[513]", "representmentFile[0]")]
    public async Task ABadCaseReplay_IsRefusedNamingTheField_AndTheCaseStaysOpen(string field, string? value, string named)
    {
        var caseId = await RaisedCaseAsync("C6");
        var request = Replay(caseId);
        request[field] = value switch
        {
            null => null,
            ['@', .. var length] => new string('c', int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)),
            "[11]" => new JsonArray([.. Enumerable.Range(0, 11).Select(i => JsonValue.Create($"https://shop.example/{i}.pdf"))]),
            "[513]" => new JsonArray(JsonValue.Create("https://shop.example/" + new string('a', 509) + ".pdf")),
            ['[', ..] or ['"', ..] => JsonNode.Parse(value),
            _ => value,
        };
        if (value is null)
        {
            request.Remove(field);
        }

        var answer = await ReplayAsync(request);

        (answer.Status, answer.Code, answer.SignatureValid).ShouldBe((HttpStatusCode.OK, ResultCodes.ParamsInvalid, true));
        answer.Msg.ShouldStartWith(named);
        (await SearchAsync(caseId)).DataString("status").ShouldBe(DisputeStatuses.Inquiry);
    }

    [Fact]
    public async Task AnAnswerAfterTheExpirationDate_OrForAnotherUser_OrAnUnknownCase_IsRefusedNamingTheCase()
    {
        var caseId = await RaisedCaseAsync("C7");
        var otherUser = Replay(caseId);
        otherUser["outUserId"] = "someone_else";

        (await ReplayAsync(otherUser)).ShouldSatisfyAllConditions(
            a => a.Code.ShouldBe(ResultCodes.CaseNotExist), a => a.Msg.ShouldContain(caseId));
        (await ReplayAsync(Replay("D0000"))).Code.ShouldBe(ResultCodes.CaseNotExist);
        (await SearchAsync("D0000")).Code.ShouldBe(ResultCodes.CaseNotExist);
        var today = DateOnly.FromDateTime(_host.Clock.GetUtcNow().UtcDateTime);
        var lastDay = await RaisedCaseAsync("C8", replyBy: today);
        (await ReplayAsync(Replay(lastDay))).Code.ShouldBe(ResultCodes.ApplySuccess, "the last day counts until its end (UTC)");

        var past = await RaisedCaseAsync("C13", replyBy: today.AddDays(-1));
        var expired = await ReplayAsync(Replay(past));
        (expired.Code, expired.Msg).ShouldBe((ResultCodes.CaseStatusInvalid, $"Case {past} could be answered until the end of 2026-11-21 (UTC); that has passed."));
    }

    [Fact]
    public async Task ADoubleSubmit_AnswersTheSameSuccess_OneNotification_AndADifferentAnswerIsRefused()
    {
        var caseId = await RaisedCaseAsync("C9");

        var both = await Task.WhenAll(ReplayAsync(Replay(caseId)), ReplayAsync(Replay(caseId)));
        var again = await ReplayAsync(Replay(caseId));
        var other = Replay(caseId);
        other["responseContent"] = "Something else.";
        var different = await ReplayAsync(other);

        both.Select(a => a.Code).ShouldBe([ResultCodes.ApplySuccess, ResultCodes.ApplySuccess]);
        again.Data.GetProperty("successCaseIds")[0].GetString().ShouldBe(caseId);
        (different.Code, different.Msg).ShouldBe((ResultCodes.CaseStatusInvalid, $"Case {caseId} was already answered otherwise; it takes one answer."));
        await Task.Delay(300);
        (await ChargebacksAsync(2)).Select(n => n.Json.GetProperty("data").GetProperty("status").GetString()).ShouldBe([DisputeStatuses.Inquiry, DisputeStatuses.Received]);
    }

    [Fact]
    public async Task AnotherMerchant_CannotSeeListOrAnswerTheCase()
    {
        var caseId = await RaisedCaseAsync("C10");

        (await _host.OtherMerchant.PostAsync("caseSearch", new JsonObject { ["caseId"] = caseId })).Code.ShouldBe(ResultCodes.CaseNotExist);
        (await _host.OtherMerchant.PostAsync("caseReplay", Replay(caseId))).Code.ShouldBe(ResultCodes.CaseNotExist);
        (await _host.OtherMerchant.PostAsync("caseList", new JsonObject())).Data.GetProperty("cases").GetArrayLength().ShouldBe(0);
        (await SearchAsync(caseId)).DataString("status").ShouldBe(DisputeStatuses.Inquiry);
    }

    [Fact]
    public async Task CaseList_PagesInTheOrderCasesChanged_AndFromTheCursorShowsOnlyLaterChanges()
    {
        var first = await RaisedCaseAsync("L1");
        var second = await RaisedCaseAsync("L2");
        var third = await RaisedCaseAsync("L3");

        var page1 = await ListAsync(new JsonObject { ["limit"] = 2 });
        var page2 = await ListAsync(new JsonObject { ["limit"] = 2, ["cursor"] = page1.DataString("nextCursor") });
        CaseIds(page1).ShouldBe([first, second]);
        page1.Data.GetProperty("hasMore").GetBoolean().ShouldBeTrue();
        CaseIds(page2).ShouldBe([third]);
        page2.Data.GetProperty("hasMore").GetBoolean().ShouldBeFalse();
        var caughtUp = page2.DataString("nextCursor");
        (await ListAsync(new JsonObject { ["cursor"] = caughtUp })).ShouldSatisfyAllConditions(
            a => CaseIds(a).ShouldBeEmpty(), a => a.DataString("nextCursor").ShouldBe(caughtUp));

        await ReplayAsync(Replay(first));

        var changed = await ListAsync(new JsonObject { ["cursor"] = caughtUp });
        CaseIds(changed).ShouldBe([first]);
        changed.Data.GetProperty("cases")[0].GetProperty("status").GetString().ShouldBe(DisputeStatuses.Received);
        var outTradeNo = (await SearchAsync(second)).DataString("outTradeNo");
        CaseIds(await ListAsync(new JsonObject { ["outTradeNo"] = outTradeNo })).ShouldBe([second]);
        (await ListAsync(new JsonObject { ["cursor"] = "abc" })).Msg.ShouldStartWith("cursor");
        (await ListAsync(new JsonObject { ["limit"] = 101 })).Msg.ShouldStartWith("limit");
    }

    [Fact]
    public async Task EvidenceTheAcquirerDidNotTake_IsPassedOnByTheIntakeLater()
    {
        var caseId = await RaisedCaseAsync("C11");
        _acquirer.EvidenceFails = true;

        (await ReplayAsync(Replay(caseId))).Code.ShouldBe(ResultCodes.ApplySuccess, "the answer is a promise once recorded");
        (await _host.ScalarAsync("SELECT COUNT(*) FROM disputes WHERE evidence_forwarded_at IS NULL")).ShouldBe(1);
        _acquirer.EvidenceFails = false;
        _host.Clock.Advance(TimeSpan.FromMinutes(2));
        await IntakeAsync();

        // The runner may pass it on at the same moment: the port takes a repeat once.
        _acquirer.Evidence.Select(e => e.CaseId).Distinct().ShouldBe(["C11"]);
        (await _host.ScalarAsync("SELECT COUNT(*) FROM disputes WHERE evidence_forwarded_at IS NULL")).ShouldBe(0);
    }

    [Fact]
    public async Task TheIntakeIsDueWhenReportsWait_OrWhenTheAcquirerExpectsTheNext()
    {
        var intake = _host.App.Services.GetServices<TokenPay.Hosting.IScheduledWork>().Single(w => w.Name == "disputes");
        var next = _host.Clock.GetUtcNow().AddDays(3);
        _acquirer.NextReportAt = next;
        (await intake.NextDueAsync(CancellationToken.None)).ShouldBe(next);

        var (_, tradeToken) = await PaidAsync(10m);
        _acquirer.Send(Report("C12", tradeToken, DisputeStage.Raised));

        (await intake.NextDueAsync(CancellationToken.None)).ShouldBe(_host.Clock.GetUtcNow());
    }

    private async Task<string> RaisedCaseAsync(string acquirerCaseId, DateOnly? replyBy = null)
    {
        var (_, tradeToken) = await PaidAsync(10m);
        await ReportAsync(Report(acquirerCaseId, tradeToken, DisputeStage.Raised, replyBy: replyBy));
        var list = await ListAsync(new JsonObject { ["limit"] = 100 });
        return list.Data.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("tradeToken").GetString() == tradeToken).GetProperty("caseId").GetString()!;
    }

    private async Task<string> OnlyCaseIdAsync() => CaseIds(await ListAsync(new JsonObject())).Single();

    private static string[] CaseIds(GatewayAnswer list) => [.. list.Data.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("caseId").GetString()!)];

    // Raised on the gateway clock's first day, to be answered within 14 days unless told otherwise.
    private DisputeReport Report(string caseId, string tradeToken, DisputeStage stage, bool? won = null, DateOnly? replyBy = null)
    {
        var raisedAt = GatewayHost.Epoch;
        return new DisputeReport($"R{Interlocked.Increment(ref _reports)}", caseId, tradeToken, stage, DisputeReasons.Fraud, "10.4", "Other Fraud: Card-Absent Environment",
            1000, 15, "USD", raisedAt, replyBy ?? DateOnly.FromDateTime(raisedAt.UtcDateTime).AddDays(14), _host.Clock.GetUtcNow(), won);
    }

    // The network sends these reports; the intake records them (the timer may run it too).
    private async Task ReportAsync(params DisputeReport[] reports)
    {
        foreach (var report in reports)
        {
            _acquirer.Send(report);
        }

        await IntakeAsync();
    }

    private Task IntakeAsync() => _host.App.Services.GetRequiredService<DisputeIntake>().RunDueAsync(CancellationToken.None);

    private async Task<IReadOnlyList<ReceivedNotification>> ChargebacksAsync(int count)
    {
        var received = await _receiver.WaitForAsync(count);
        var chargebacks = received.Where(n => n.Json.GetProperty("notifyType").GetString() == Wire.NotifyChargeback).ToList();
        chargebacks.Count.ShouldBe(received.Count, "CHARGEBACK notifications go to the DisputeNotifyUrl");
        return [.. chargebacks.OrderBy(n => n.Json.GetProperty("notifyTime").GetString(), StringComparer.Ordinal)];
    }

    private async Task<(string OutTradeNo, string TradeToken)> PaidAsync(decimal amount)
    {
        var order = GatewayFixture.NewId("dsp");
        var answer = await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, User, amount: amount));
        answer.DataString("status").ShouldBe(OrderStatuses.Success);
        return (order, answer.DataString("tradeToken"));
    }

    private async Task<(decimal? Disputed, decimal? ChargedBack, decimal? Refunded)> AmountsAsync(string outTradeNo)
    {
        var data = (await _host.Merchant.QueryAsync(outTradeNo)).Data;
        return (Amount(data, "disputedAmount"), Amount(data, "chargedBackAmount"), Amount(data, "refundedAmount"));
    }

    private static decimal? Amount(JsonElement data, string name) => data.TryGetProperty(name, out var value) ? value.GetDecimal() : null;

    private Task<GatewayAnswer> RefundAsync(string outTradeNo, decimal amount) => _host.Merchant.PostAsync("refund", new JsonObject
    {
        ["outRefundNo"] = GatewayFixture.NewId("rf"), ["refundAmount"] = amount, ["refundCurrency"] = "USD", ["outTradeNo"] = outTradeNo, ["comments"] = "Returned",
    });

    private static JsonObject Replay(string caseId) => new()
    {
        ["caseId"] = caseId,
        ["outUserId"] = User,
        ["responseContent"] = "Signed delivery receipt attached.",
        ["representmentFile"] = new JsonArray([.. Evidence.Select(e => JsonValue.Create(e))]),
    };

    private Task<GatewayAnswer> SearchAsync(string caseId) => _host.Merchant.PostAsync("caseSearch", new JsonObject { ["caseId"] = caseId });

    private Task<GatewayAnswer> ReplayAsync(JsonObject data) => _host.Merchant.PostAsync("caseReplay", data);

    private Task<GatewayAnswer> ListAsync(JsonObject data) => _host.Merchant.PostAsync("caseList", data);
}
