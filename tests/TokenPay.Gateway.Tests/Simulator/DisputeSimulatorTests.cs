using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TokenPay.Acquiring;
using TokenPay.Acquiring.Simulator;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Tests.Simulator;

/// <summary>
/// The simulator's disputes on its own (docs/disputes.md), on a fake clock and the run's engine: which approvals
/// are disputed and when, each stage's report until acknowledged, the answer window, the fee, refunds, the
/// sandbox's actions, and merchant-initiated payments after a fraud chargeback.
/// </summary>
public sealed class DisputeSimulatorTests : IAsyncLifetime
{
    private static readonly StoredCredential Storing = new(Initiator.Customer, CredentialUse.First, CredentialUsage.Unscheduled);

    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;
    private readonly FakeTimeProvider _clock = new(GatewayHost.Epoch);
    private IAcquirer _acquirer = null!;
    private int _orders;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(GatewayHost.OnPostgres ? Engine.Postgres : Engine.Sqlite, SimulatorSchema.Schema);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_clock);
        await services.AddAcquirerSimulatorAsync(_database.Database, default);
        _services = services.BuildServiceProvider();
        _acquirer = _services.GetRequiredKeyedService<IAcquirer>(SimulatorRegistration.Name);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    private SimulatedDisputes Sandbox => _services.GetRequiredService<SimulatedDisputes>();

    [Theory]
    [InlineData("400000", "7010", DisputeReasons.Fraud, 20, "10.4")]
    [InlineData("520000", "7010", DisputeReasons.Fraud, 20, "4837")]
    [InlineData("400000", "7028", DisputeReasons.Fraud, 20, "10.4")]
    [InlineData("400000", "7036", DisputeReasons.NotReceived, 15, "13.1")]
    [InlineData("520000", "7044", DisputeReasons.Duplicate, 7, "4834")]
    [InlineData("400000", "7051", DisputeReasons.CancelledRecurring, 30, "13.2")]
    [InlineData("520000", "7069", DisputeReasons.NotAsDescribed, 10, "4853")]
    public async Task EachDisputeCard_IsDisputedAfterItsDelay_WithItsNetworksReasonCode(string prefix, string lastFour, string category, int days, string code)
    {
        var paid = await PayAsync(Card(prefix, lastFour), 10_00, "USD");
        _clock.Advance(TimeSpan.FromDays(days) - TimeSpan.FromMilliseconds(1));

        var before = await _acquirer.FindDisputeReportsAsync(10, default);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var raised = (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.ShouldHaveSingleItem();

        before.Reports.ShouldBeEmpty();
        before.NextReportAt.ShouldBe(GatewayHost.Epoch.AddDays(days));
        (raised.TradeToken, raised.Stage, raised.ReasonCategory, raised.ReasonCode, raised.AmountMinor, raised.FeeMinor, raised.Currency)
            .ShouldBe((paid, DisputeStage.Raised, category, code, 10_00L, 15L, "USD"));
        raised.CaseId.ShouldStartWith("SIMD");
        raised.ReportId.ShouldBe($"{raised.CaseId}:Raised");
        (raised.RaisedAt, raised.HappenedAt).ShouldBe((GatewayHost.Epoch.AddDays(days), GatewayHost.Epoch.AddDays(days)));
        raised.ReplyBy.ShouldBe(DateOnly.FromDateTime(GatewayHost.Epoch.AddDays(days + 14).UtcDateTime));
        raised.MerchantWon.ShouldBeNull();
    }

    [Theory]
    [InlineData("7010", true)]
    [InlineData("7028", false)]
    public async Task AnAnsweredCase_IsRuled10DaysAfterTheAnswer_AsPlanned_AndClosedADayLater(string lastFour, bool won)
    {
        await PayAsync(Card("400000", lastFour), 50_00, "USD");
        _clock.Advance(TimeSpan.FromDays(20));
        var raised = await AcknowledgedAsync();
        _clock.Advance(TimeSpan.FromDays(3));
        var answeredAt = _clock.GetUtcNow();

        (await AnswerAsync(raised.CaseId)).ShouldBeTrue();
        (await AnswerAsync(raised.CaseId)).ShouldBeTrue("a repeat is taken once");
        (await _acquirer.FindDisputeReportsAsync(10, default)).NextReportAt.ShouldBe(answeredAt.AddDays(10));
        _clock.Advance(TimeSpan.FromDays(11));
        var reports = (await _acquirer.FindDisputeReportsAsync(10, default)).Reports;

        reports.Select(r => (r.Stage, r.HappenedAt, r.MerchantWon)).ShouldBe([
            (DisputeStage.Ruled, answeredAt.AddDays(10), won),
            (DisputeStage.Closed, answeredAt.AddDays(11), won),
        ]);
        await _acquirer.AcknowledgeDisputeReportsAsync([.. reports.Select(r => r.ReportId)], default);
        await NothingMoreAsync();
    }

    [Fact]
    public async Task AReport_ComesAgainUntilAcknowledged_OldestFirst_AtMostMax()
    {
        await PayAsync(Card("400000", "7044"), 10_00, "USD");
        await PayAsync(Card("400000", "7036"), 10_00, "USD");
        _clock.Advance(TimeSpan.FromDays(16));

        var first = (await _acquirer.FindDisputeReportsAsync(1, default)).Reports.ShouldHaveSingleItem();
        var again = (await _acquirer.FindDisputeReportsAsync(10, default)).Reports;
        await _acquirer.AcknowledgeDisputeReportsAsync([first.ReportId, "SIMDunknown:Raised", "not a report"], default);
        var left = (await _acquirer.FindDisputeReportsAsync(10, default)).Reports;

        first.ReasonCategory.ShouldBe(DisputeReasons.Duplicate);
        again.Select(r => r.ReasonCategory).ShouldBe([DisputeReasons.Duplicate, DisputeReasons.NotReceived]);
        left.Select(r => r.ReasonCategory).ShouldBe([DisputeReasons.NotReceived]);
    }

    [Fact]
    public async Task AnUnansweredCase_IsLostWhenItsReplyByDayEnds_AndTakesNoAnswerAfter()
    {
        await PayAsync(Card("400000", "7010"), 10_00, "USD");
        _clock.Advance(TimeSpan.FromDays(20));
        var raised = await AcknowledgedAsync();
        var windowEnds = new DateTimeOffset(raised.ReplyBy.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        _clock.Advance(windowEnds - _clock.GetUtcNow() - TimeSpan.FromMilliseconds(1));

        var lastMoment = await _acquirer.FindDisputeReportsAsync(10, default);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var lost = (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.ShouldHaveSingleItem();

        lastMoment.Reports.ShouldBeEmpty();
        lastMoment.NextReportAt.ShouldBe(windowEnds);
        (lost.Stage, lost.HappenedAt, lost.MerchantWon).ShouldBe((DisputeStage.Ruled, windowEnds, false));
        (await AnswerAsync(raised.CaseId)).ShouldBeFalse("the answer window has ended");
        (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.ShouldHaveSingleItem().ReportId.ShouldBe(lost.ReportId, "asked again, the ruling is the same");
    }

    [Fact]
    public async Task AnAnswerOnTheLastDay_IsTaken()
    {
        await PayAsync(Card("400000", "7010"), 10_00, "USD");
        _clock.Advance(TimeSpan.FromDays(20));
        var raised = await AcknowledgedAsync();
        _clock.Advance(new DateTimeOffset(raised.ReplyBy.ToDateTime(new TimeOnly(23, 59)), TimeSpan.Zero) - _clock.GetUtcNow());

        (await AnswerAsync(raised.CaseId)).ShouldBeTrue();
        _clock.Advance(TimeSpan.FromDays(10));
        (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.ShouldHaveSingleItem().MerchantWon.ShouldBe(true);
    }

    [Fact]
    public async Task TheWithdrawalCard_IsCancelled5DaysAfterItWasRaised_AndTakesNoAnswerThen()
    {
        await PayAsync(Card("400000", "7069"), 10_00, "USD");
        _clock.Advance(TimeSpan.FromDays(10));
        var raised = await AcknowledgedAsync();
        _clock.Advance(TimeSpan.FromDays(5));

        var cancelled = (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.ShouldHaveSingleItem();

        (cancelled.Stage, cancelled.HappenedAt, cancelled.MerchantWon).ShouldBe((DisputeStage.Cancelled, raised.RaisedAt.AddDays(5), (bool?)null));
        (await AnswerAsync(raised.CaseId)).ShouldBeFalse();
        await _acquirer.AcknowledgeDisputeReportsAsync([cancelled.ReportId], default);
        await NothingMoreAsync();
    }

    [Theory]
    [InlineData("DISPUTE_DUPLICATE", DisputeReasons.Duplicate, 7)]
    [InlineData("DISPUTE_CREDIT_NOT_PROCESSED", DisputeReasons.CreditNotProcessed, 10)]
    public async Task ADisputeSubject_DisputesAnyCard(string subject, string category, int days)
    {
        await PayAsync("4242424242424242", 10_00, "USD", subject);
        _clock.Advance(TimeSpan.FromDays(days));

        (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.ShouldHaveSingleItem().ReasonCategory.ShouldBe(category);
    }

    [Theory]
    [InlineData(1000, "JPY", 15)]
    [InlineData(300, "JPY", 5)]
    [InlineData(33, "JPY", 1)]
    [InlineData(1000, "USD", 15)]
    [InlineData(100, "USD", 2)]
    [InlineData(1, "USD", 1)]
    [InlineData(12345, "KWD", 185)]
    [InlineData(10, "KWD", 1)]
    public void TheFee_Is1Point5Percent_RoundedHalfUpToTheCurrency_AtLeastOneMinorUnit(long amountMinor, string currency, long feeMinor) =>
        DisputeRules.FeeMinor(amountMinor, currency).ShouldBe(feeMinor);

    [Fact]
    public async Task RefundsBeforeTheRaise_ReduceTheCase_AndAFullRefundLeavesNoCase()
    {
        var partly = await PayAsync(Card("400000", "7044"), 100_00, "USD");
        var fully = await PayAsync(Card("520000", "7044"), 100_00, "USD");
        await _acquirer.RefundAsync(new AcquirerRefundRequest("R1", partly, null, 30_00, "USD", null), default);
        await _acquirer.RefundAsync(new AcquirerRefundRequest("R2", partly, null, 5_00, "USD", "REFUND_REJECTED"), default);
        await _acquirer.RefundAsync(new AcquirerRefundRequest("R3", fully, null, 100_00, "USD", null), default);
        _clock.Advance(TimeSpan.FromDays(7));

        var feed = await _acquirer.FindDisputeReportsAsync(10, default);

        var raised = feed.Reports.ShouldHaveSingleItem();
        (raised.TradeToken, raised.AmountMinor, raised.FeeMinor).ShouldBe((partly, 70_00L, 105L));
        feed.NextReportAt.ShouldBe(new DateTimeOffset(raised.ReplyBy.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), "the unanswered case's ruling; the fully refunded one is never raised");
    }

    [Fact]
    public async Task AfterAFraudChargeback_EveryMitOnTheCardIsDeclinedAndCounted_UntilTheCustomerStoresItAgain()
    {
        var card = new PlainCard(Card("400000", "7010"), null, 12, 2030, "123");
        var nti = (await AuthorizeAsync(card, 10_00, "USD", "Test", Storing)).NetworkTransactionId!;
        var mit = new StoredCredential(Initiator.Merchant, CredentialUse.Subsequent, CredentialUsage.Unscheduled, nti);
        (await AuthorizeAsync(card with { Cvv = null }, 5_00, "USD", "Test", mit)).Decision.ShouldBe(AuthorizationDecision.Approved, "before the case is raised");
        _clock.Advance(TimeSpan.FromDays(20));

        var first = await AuthorizeAsync(card with { Cvv = null }, 5_00, "USD", "Test", mit);
        _clock.Advance(TimeSpan.FromDays(30));
        var later = await AuthorizeAsync(card with { Cvv = null }, 5_00, "USD", "Test", mit);
        var otherMerchant = await AuthorizeAsync(card, 5_00, "USD", "Test", Storing, merchantNo: "M_OTHER");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var storedAgain = (await AuthorizeAsync(card, 10_00, "USD", "Test", Storing)).NetworkTransactionId!;
        var afterStoring = await AuthorizeAsync(card with { Cvv = null }, 5_00, "USD", "Test", mit with { InitialTransactionId = storedAgain });

        foreach (var declined in new[] { first, later })
        {
            (declined.Decision, declined.Code, declined.Advice).ShouldBe((AuthorizationDecision.Declined, ResultCodes.IssuerPaymentRejected, new DeclineAdvice(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.StopRecurring)));
            declined.Message!.ShouldContain("fraud");
        }

        otherMerchant.Decision.ShouldBe(AuthorizationDecision.Approved);
        afterStoring.Decision.ShouldBe(AuthorizationDecision.Approved);
        var violations = await _services.GetRequiredService<SimulatorStore>().ViolationsAsync(TestKeys.MerchantNo, default);
        violations.Select(v => (v.Violation, v.Count)).ShouldBe([(AcquirerSimulator.ViolationMitAfterFraudChargeback, 2L)]);
    }

    [Fact]
    public async Task TheSandbox_RaisesANamedCaseNow_OnWhatIsLeft_AndRulesOrCancelsAnOpenOne()
    {
        var paid = await PayAsync("5555555555554444", 20_00, "USD");
        await _acquirer.RefundAsync(new AcquirerRefundRequest("R1", paid, null, 5_00, "USD", null), default);

        var raised = await Sandbox.RaiseNowAsync(paid, "fraud", default);
        var second = await Sandbox.RaiseNowAsync(paid, "not-received", default);
        var nothingLeft = await Sandbox.RaiseNowAsync(paid, "duplicate", default);

        (raised.Refused, raised.Case!.AmountMinor, raised.Case.ReasonCode, raised.Case.RaisedAt).ShouldBe(((DisputeRefusal?)null, 15_00L, "4837", _clock.GetUtcNow()));
        second.Refused.ShouldBe(DisputeRefusal.NothingLeft, "the first case froze all that was left");
        nothingLeft.Refused.ShouldBe(DisputeRefusal.NothingLeft);
        (await Sandbox.RaiseNowAsync(paid, "chargeback", default)).Message.ShouldBe("reason must be one of: fraud, not_received, duplicate, cancelled_recurring, not_as_described, credit_not_processed.");
        (await Sandbox.RaiseNowAsync("T_UNKNOWN", "fraud", default)).Refused.ShouldBe(DisputeRefusal.UnknownPayment);

        var won = await Sandbox.RuleNowAsync(raised.Case.CaseId, merchantWon: true, default);
        (await Sandbox.CancelNowAsync(raised.Case.CaseId, default)).Refused.ShouldBe(DisputeRefusal.CaseEnded);
        (await Sandbox.RuleNowAsync("SIMD0000", merchantWon: false, default)).Refused.ShouldBe(DisputeRefusal.UnknownCase);
        (won.Case!.Stage, won.Case.MerchantWon).ShouldBe((DisputeStage.Ruled, true));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var afterWin = await Sandbox.RaiseNowAsync(paid, "duplicate", default);
        (await Sandbox.CancelNowAsync(afterWin.Case!.CaseId, default)).Case!.Stage.ShouldBe(DisputeStage.Cancelled);
        _clock.Advance(TimeSpan.FromDays(1));
        (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.Select(r => (r.CaseId == raised.Case.CaseId, r.Stage)).ShouldBe([
            (true, DisputeStage.Raised), (true, DisputeStage.Ruled), (false, DisputeStage.Raised), (false, DisputeStage.Cancelled), (true, DisputeStage.Closed),
        ]);
    }

    private async Task NothingMoreAsync()
    {
        var feed = await _acquirer.FindDisputeReportsAsync(10, default);
        (feed.Reports.Count, feed.NextReportAt).ShouldBe((0, (DateTimeOffset?)null));
    }

    private async Task<DisputeReport> AcknowledgedAsync()
    {
        var raised = (await _acquirer.FindDisputeReportsAsync(10, default)).Reports.ShouldHaveSingleItem();
        await _acquirer.AcknowledgeDisputeReportsAsync([raised.ReportId], default);
        return raised;
    }

    private async Task<bool> AnswerAsync(string caseId) =>
        await _acquirer.SubmitDisputeEvidenceAsync(new DisputeEvidence(caseId, "Delivered, signed for.", ["https://merchant.example/pod.pdf"], _clock.GetUtcNow()), default);

    private async Task<string> PayAsync(string pan, long amountMinor, string currency, string subject = "Test")
    {
        var tradeToken = $"T{++_orders}";
        var outcome = await _acquirer.AuthorizeAsync(Request(tradeToken, new PlainCard(pan, null, 12, 2030, "123"), amountMinor, currency, subject, StoredCredential.OneOff, TestKeys.MerchantNo), default);
        outcome.Decision.ShouldBe(AuthorizationDecision.Approved);
        return tradeToken;
    }

    private async Task<AuthorizationOutcome> AuthorizeAsync(string pan, long amountMinor, string currency, string subject, StoredCredential credential, string merchantNo = TestKeys.MerchantNo) =>
        await AuthorizeAsync(new PlainCard(pan, null, 12, 2030, "123"), amountMinor, currency, subject, credential, merchantNo);

    private async Task<AuthorizationOutcome> AuthorizeAsync(PlainCard card, long amountMinor, string currency, string subject, StoredCredential credential, string merchantNo = TestKeys.MerchantNo) =>
        await _acquirer.AuthorizeAsync(Request($"T{++_orders}", card, amountMinor, currency, subject, credential, merchantNo), default);

    private static AuthorizationRequest Request(string tradeToken, PlainCard card, long amountMinor, string currency, string subject, StoredCredential credential, string merchantNo) =>
        new(tradeToken, merchantNo, card, amountMinor, currency, subject, credential, false, GatewayHost.Epoch.AddYears(1));

    /// <summary>A valid number of the test family with these last four digits (digit 12 makes the Luhn check pass).</summary>
    private static string Card(string prefix, string lastFour) =>
        Enumerable.Range(0, 10).Select(d => $"{prefix}00000{d}{lastFour}").First(pan => Cards.IsValidPan(pan));
}
