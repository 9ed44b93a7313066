using Microsoft.Extensions.Time.Testing;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests.StorageContracts;

/// <summary>What the merchant's storage guarantees on every engine; each test runs on SQLite and on PostgreSQL.</summary>
public class MerchantStorageContract
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly long Now = Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static PaymentStore Payments(TokenPay.Storage.RelationalDatabase database) => new(database, Retries(database), Clock);

    private static RetryLedger Retries(TokenPay.Storage.RelationalDatabase database) =>
        new(database, Clock, Microsoft.Extensions.Options.Options.Create(new TokenPay.Merchant.Hosting.MerchantOptions()));

    [Theory, OnSqlite, OnPostgres]
    public async Task ADeclinedCharge_IsPlanned_AndItsRetryIsStartedOnceAcrossNodes(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        await using var second = db.OpenSecondNode();
        var payments = Payments(db.Database);
        await payments.TryCreateAsync(Charge("mit_r", "charge-r") with { PaymentTokenId = "PMTOKEN_R" }, default);
        await payments.ApplyAsync(new OrderUpdate("mit_r", "FAILED", "T1", "ISSUER_PAYMENT_REJECTED", "later", null, null, null) { AdviceCategory = 2, MerchantAdviceCode = "24" }, default);

        var charge = (await payments.FindByChargeAsync("charge-r", default))!;
        (charge.AdviceCategory, charge.MerchantAdviceCode, charge.RetryAt).ShouldBe((2, "24", Now + 3_600_000));
        var nodes = new[] { Retries(db.Database), Retries(second) };
        var started = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => nodes[i % 2].StartRetryAsync(charge, default)));

        started.Count(r => r is not null).ShouldBe(1);
        var attempts = await nodes[1].AttemptsAsync("charge-r", default);
        attempts.Select(a => (a.Attempt, a.OutTradeNo, a.Status, a.PaymentTokenId)).ShouldBe([(1, "mit_r", "FAILED", "PMTOKEN_R"), (2, TokenPay.Merchant.Payments.PaymentOrders.ForRetry("charge-r", 2), "CREATED", "PMTOKEN_R")]);
        (await nodes[0].FindDueAsync(10, default)).ShouldBeEmpty();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Payment_RoundTrips_AndItsOrderNumberAndChargeIdAreEachUsedOnce(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var payments = Payments(db.Database);

        (await payments.TryCreateAsync(Charge("mit_1", "charge-1"), default)).ShouldBeTrue();
        (await payments.TryCreateAsync(Charge("mit_1", "charge-2"), default)).ShouldBeFalse();
        (await payments.TryCreateAsync(Charge("mit_2", "charge-1"), default)).ShouldBeFalse();

        (await payments.FindAsync("mit_1", default)).ShouldBe(Charge("mit_1", "charge-1") with { CreatedAt = Now, UpdatedAt = Now });
        (await payments.FindByChargeAsync("charge-1", default))!.OutTradeNo.ShouldBe("mit_1");
        (await payments.FindAsync("mit_2", default)).ShouldBeNull();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task FinalStates_NeverChange_ButASuccessStillLearnsItsToken_AndFillsTheWallet(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var payments = Payments(db.Database);
        var wallet = new WalletStore(db.Database, Clock);
        await payments.TryCreateAsync(Checkout("shop_1"), default);

        (await payments.ApplyAsync(Update("shop_1", PaymentStatuses.Success, token: null), default)).ShouldBeTrue();
        (await payments.ApplyAsync(Update("shop_1", PaymentStatuses.Failed, token: null), default)).ShouldBeFalse("SUCCESS is final");
        (await payments.ApplyAsync(Update("shop_1", PaymentStatuses.Success, token: "PMTOKEN_1"), default)).ShouldBeTrue("a success may still learn its token");
        (await payments.ApplyAsync(Update("shop_1", PaymentStatuses.Success, token: "PMTOKEN_2"), default)).ShouldBeFalse("but only once");

        var payment = (await payments.FindAsync("shop_1", default))!;
        (payment.Status, payment.PaymentTokenId, payment.TradeToken).ShouldBe((PaymentStatuses.Success, "PMTOKEN_1", "T1"));
        var entry = (await wallet.ListAsync("gina", default)).Single();
        (entry.PaymentTokenId, entry.Status, entry.MitAllowed, entry.Brand, entry.MaskedCard, entry.BindingOutTradeNo).ShouldBe(("PMTOKEN_1", TokenStatuses.Activated, true, "VISA", "444433******1111", "shop_1"));
        (await payments.ListOpenAsync(Now, default)).ShouldBeEmpty();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task OpenPayments_AreListedOldestFirst(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var payments = Payments(db.Database);
        await payments.TryCreateAsync(Charge("created", "c1"), default);
        await payments.TryCreateAsync(Checkout("pending"), default);
        await payments.TryCreateAsync(Checkout("refused"), default);
        await payments.RefuseAsync("refused", "PARAMS_INVALID", "bad", default);

        (await payments.ListOpenAsync(Now, default)).Select(p => p.OutTradeNo).Order().ShouldBe(["created", "pending"]);
        (await payments.ListOpenAsync(Now - 1, default)).ShouldBeEmpty();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Wallet_ANotificationNeverRevivesARemovedCard_TheGatewaysInquiryDoes(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var wallet = new WalletStore(db.Database, Clock);
        var inbox = new NotificationInbox(db.Database, Payments(db.Database), new RefundLedger(db.Database, Clock), new DisputeLedger(db.Database, Clock), Clock);
        await wallet.UpsertFromGatewayAsync(Entry(TokenStatuses.Activated, mitAllowed: false), default);
        await wallet.SetStatusAsync("PMTOKEN_1", TokenStatuses.Deleted, default);

        (await inbox.ApplyAsync("T1", "SUCCESS", "TOKENIZATION", null, "{}", null, Entry(TokenStatuses.Activated, mitAllowed: true), null, default)).ShouldBeTrue();
        (await inbox.ApplyAsync("T1", "SUCCESS", "TOKENIZATION", null, "{}", null, Entry(TokenStatuses.Activated, mitAllowed: true), null, default)).ShouldBeFalse("the same delivery twice");

        var entry = (await wallet.FindAsync("PMTOKEN_1", default))!;
        (entry.Status, entry.MitAllowed).ShouldBe((TokenStatuses.Deleted, true));
        await wallet.UpsertFromGatewayAsync(Entry(TokenStatuses.Activated, mitAllowed: false), default);
        var revived = (await wallet.FindAsync("PMTOKEN_1", default))!;
        (revived.Status, revived.MitAllowed).ShouldBe((TokenStatuses.Activated, true), "MIT permission, once given, stays");
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Disputes_ConcurrentStatesOnTwoNodes_EndAtTheFurthest_WithEachStateOnceInTheTimeline(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        await using var second = db.OpenSecondNode();
        var ledgers = new[] { new DisputeLedger(db.Database, Clock), new DisputeLedger(second, Clock) };
        string[] states = ["DISPUTE_INQUIRY", "DISPUTE_RECEIVED", "DISPUTE_END", "CASE_CLOSED"];

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => ledgers[i % 2].ApplyAsync(Case(states[i % 4]), Now + (i % 4), default)));

        var dispute = (await ledgers[0].FindAsync("D1", default))!;
        (dispute.Status, dispute.StatusRank, dispute.CaseResult, dispute.AmountMinor, dispute.FeeMinor, dispute.TotalMinor).ShouldBe(("CASE_CLOSED", 4, "WIN", 1000L, 15L, 1015L));
        (await ledgers[1].TimelineAsync("D1", default)).Select(e => e.Status).ShouldBe(states);
        (await ledgers[0].ListAsync(new DisputeFilter(Open: true), 10, default)).ShouldBeEmpty();
        (await ledgers[0].ListAsync(new DisputeFilter(Open: false), 10, default)).Single().CaseId.ShouldBe("D1");
    }

    private static TokenPay.Protocol.Models.CaseView Case(string status) => new()
    {
        CaseId = "D1", Status = status, CaseResult = status is "DISPUTE_END" or "CASE_CLOSED" ? "WIN" : null, ReasonCode = "13.1", ReasonMessage = "Not received",
        ReasonCategory = "NOT_RECEIVED", OutTradeNo = "shop_1", TradeToken = "T1", OutUserId = "gina", TradeAmount = 10m, TradeCurrency = "USD", TradeCountry = "US",
        TradeCreateTime = "2026-11-01T00:00:00.000+00:00", Amount = 10m, Fee = 0.15m, TotalAmount = 10.15m, Currency = "USD",
        RetrievalDate = "2026-12-01", ExpirationDate = "2026-12-15", PaymentMethodType = "CARD",
    };

    [Theory, OnSqlite, OnPostgres]
    public async Task Inbox_ConcurrentDuplicateDeliveries_AreAppliedOnce(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        await using var second = db.OpenSecondNode();
        var payments = Payments(db.Database);
        await payments.TryCreateAsync(Checkout("shop_1"), default);
        var inboxes = new[] { new NotificationInbox(db.Database, payments, new RefundLedger(db.Database, Clock), new DisputeLedger(db.Database, Clock), Clock), new NotificationInbox(second, Payments(second), new RefundLedger(second, Clock), new DisputeLedger(second, Clock), Clock) };

        var applied = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            inboxes[i % 2].ApplyAsync("T1", "SUCCESS", "PAYMENT", "shop_1", "{}", Update("shop_1", PaymentStatuses.Success, "PMTOKEN_1"), null, null, default)));

        applied.Count(a => a).ShouldBe(1);
        (await db.CountAsync("notification_inbox")).ShouldBe(1);
        (await payments.FindAsync("shop_1", default))!.Status.ShouldBe(PaymentStatuses.Success);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Refunds_RoundTrip_AreOncePerRefundId_AndAFinalStateNeverChanges(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        await Payments(db.Database).TryCreateAsync(Checkout("shop_1"), default);
        var ledger = new RefundLedger(db.Database, Clock);
        var refund = new MerchantRefund
        {
            OutRefundNo = "rf_1", RefundId = "refund-1", OutTradeNo = "shop_1", AmountMinor = 250, Currency = "USD", Reason = "Damaged",
            Status = RefundStates.Created, CreatedAt = 0, UpdatedAt = 0,
        };

        (await ledger.TryCreateAsync(refund, default)).ShouldBeTrue();
        (await ledger.TryCreateAsync(refund with { OutRefundNo = "rf_2" }, default)).ShouldBeFalse("the refund id is taken");
        (await ledger.FindByRefundIdAsync("refund-1", default)).ShouldBe(refund with { CreatedAt = Now, UpdatedAt = Now });
        (await ledger.ListOpenAsync(Now, default)).Select(r => r.OutRefundNo).ShouldBe(["rf_1"]);

        (await ledger.ApplyAsync(new RefundUpdate("rf_1", RefundStates.Pending, "R1", null, null), default)).ShouldBeTrue();
        (await ledger.ApplyAsync(new RefundUpdate("rf_1", RefundStates.Success, "R1", null, null), default)).ShouldBeTrue();
        (await ledger.ApplyAsync(new RefundUpdate("rf_1", RefundStates.Pending, "R1", null, null), default)).ShouldBeFalse("a late PENDING never overwrites SUCCESS");

        var final = (await ledger.FindAsync("rf_1", default))!;
        (final.Status, final.RefundTradeNo, final.IsFinal).ShouldBe((RefundStates.Success, "R1", true));
        (await ledger.ListOpenAsync(Now, default)).ShouldBeEmpty();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task PaymentList_IsNewestFirst_Filtered_AndAPageGoesOnAfterItsMark(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var payments = Payments(db.Database);
        // One clock: every payment has the same time, so the order number breaks the tie.
        await payments.TryCreateAsync(Checkout("shop_a"), default);
        await payments.TryCreateAsync(Charge("mit_b", "c-b"), default);
        await payments.TryCreateAsync(Charge("mit_c", "c-c") with { UserId = "hal" }, default);
        await payments.TryCreateAsync(Checkout("shop_d"), default);
        await payments.RefuseAsync("shop_d", "PARAMS_INVALID", "bad", default);

        (await payments.ListAsync(new PaymentFilter(), 10, default)).Select(p => p.OutTradeNo).ShouldBe(["shop_d", "shop_a", "mit_c", "mit_b"]);
        var first = await payments.ListAsync(new PaymentFilter(), 2, default);
        var next = await payments.ListAsync(new PaymentFilter(Older: new PageMark(first[^1].CreatedAt, first[^1].OutTradeNo)), 2, default);
        next.Select(p => p.OutTradeNo).ShouldBe(["mit_c", "mit_b"]);
        (await payments.ListAsync(new PaymentFilter(UserId: "gina", Kind: PaymentKinds.Mit), 10, default)).Select(p => p.OutTradeNo).ShouldBe(["mit_b"]);
        (await payments.ListAsync(new PaymentFilter(Status: PaymentStatuses.Refused), 10, default)).Select(p => p.OutTradeNo).ShouldBe(["shop_d"]);
        (await payments.ListAsync(new PaymentFilter(Kind: PaymentKinds.Checkout, Older: new PageMark(Now + 1, "")), 10, default)).Select(p => p.OutTradeNo).ShouldBe(["shop_d", "shop_a"]);
        PageMark.Parse(new PageMark(Now, "shop_a_1").Text).ShouldBe(new PageMark(Now, "shop_a_1"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ChargeList_ShowsEachChargeOnce_WithItsLatestAttemptsStatus(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var payments = Payments(db.Database);
        await payments.TryCreateAsync(Charge("mit_r", "charge-r"), default);
        await payments.ApplyAsync(new OrderUpdate("mit_r", PaymentStatuses.Failed, "T1", "ISSUER_PAYMENT_REJECTED", "later", null, null, null) { AdviceCategory = 2, MerchantAdviceCode = "24" }, default);
        (await Retries(db.Database).StartRetryAsync((await payments.FindByChargeAsync("charge-r", default))!, default)).ShouldNotBeNull();
        await payments.TryCreateAsync(Charge("mit_s", "charge-s") with { UserId = "hal" }, default);
        await payments.ApplyAsync(Update("mit_s", PaymentStatuses.Success, null), default);
        await payments.TryCreateAsync(Checkout("shop_1"), default);
        var retries = Retries(db.Database);

        var all = await retries.ListChargesAsync(new ChargeFilter(), 10, default);
        all.Select(c => (c.ChargeId, c.UserId, c.Status, c.Attempts, c.AmountMinor)).ShouldBe([("charge-s", "hal", PaymentStatuses.Success, 1, 300), ("charge-r", "gina", PaymentStatuses.Created, 2, 300)]);
        (await retries.ListChargesAsync(new ChargeFilter(Status: PaymentStatuses.Created), 10, default)).Select(c => c.ChargeId).ShouldBe(["charge-r"]);
        (await retries.ListChargesAsync(new ChargeFilter(Status: PaymentStatuses.Failed), 10, default)).ShouldBeEmpty("a charge's status is its latest attempt's");
        (await retries.ListChargesAsync(new ChargeFilter(UserId: "hal"), 10, default)).Select(c => c.ChargeId).ShouldBe(["charge-s"]);
        (await retries.ListChargesAsync(new ChargeFilter(Older: new PageMark(all[0].CreatedAt, all[0].ChargeId)), 1, default)).Select(c => c.ChargeId).ShouldBe(["charge-r"]);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task CustomerList_HasEveryUserWithCardsOrPayments_WithActiveCardsAndLastPayment(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var payments = Payments(db.Database);
        var wallet = new WalletStore(db.Database, Clock);
        await wallet.UpsertFromGatewayAsync(Entry(TokenStatuses.Activated, mitAllowed: true), default);
        await wallet.UpsertFromGatewayAsync(Entry(TokenStatuses.Activated, mitAllowed: true) with { PaymentTokenId = "PMTOKEN_2" }, default);
        await wallet.UpsertFromGatewayAsync(Entry(TokenStatuses.Deleted, mitAllowed: true) with { PaymentTokenId = "PMTOKEN_3" }, default);
        await wallet.UpsertFromGatewayAsync(Entry(TokenStatuses.Activated, mitAllowed: true) with { PaymentTokenId = "PMTOKEN_4", UserId = "gil" }, default);
        await payments.TryCreateAsync(Checkout("shop_1"), default);
        await payments.TryCreateAsync(Checkout("shop_2") with { UserId = "hal" }, default);

        var all = await wallet.ListCustomersAsync(null, null, 10, default);
        all.ShouldBe([
            new CustomerSummary { UserId = "gil", ActiveCards = 1, LastPaymentAt = null },
            new CustomerSummary { UserId = "gina", ActiveCards = 2, LastPaymentAt = Now },
            new CustomerSummary { UserId = "hal", ActiveCards = 0, LastPaymentAt = Now },
        ]);
        (await wallet.ListCustomersAsync("gi", null, 10, default)).Select(c => c.UserId).ShouldBe(["gil", "gina"]);
        (await wallet.ListCustomersAsync("gi", "gil", 10, default)).Select(c => c.UserId).ShouldBe(["gina"]);
        (await wallet.ListCustomersAsync("Gi", null, 10, default)).ShouldBeEmpty("a user id is matched as written");
        (await wallet.ListCustomersAsync(null, null, 1, default)).Select(c => c.UserId).ShouldBe(["gil"]);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task APaymentsRefunds_AreListedNewestFirst_AndOnlyItsOwn(Engine engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine, MerchantStorage.Schema);
        var payments = Payments(db.Database);
        await payments.TryCreateAsync(Checkout("shop_1"), default);
        await payments.TryCreateAsync(Checkout("shop_2"), default);
        var ledger = new RefundLedger(db.Database, Clock);
        foreach (var (number, payment) in new[] { ("rf_1", "shop_1"), ("rf_2", "shop_2"), ("rf_3", "shop_1") })
        {
            await ledger.TryCreateAsync(new MerchantRefund
            {
                OutRefundNo = number, RefundId = "id-" + number, OutTradeNo = payment, AmountMinor = 100, Currency = "USD", Status = RefundStates.Created, CreatedAt = 0, UpdatedAt = 0,
            }, default);
        }

        (await ledger.ListForPaymentAsync("shop_1", 10, default)).Select(r => r.OutRefundNo).ShouldBe(["rf_3", "rf_1"]);
        (await ledger.ListForPaymentAsync("shop_1", 1, default)).Select(r => r.OutRefundNo).ShouldBe(["rf_3"]);
        (await ledger.ListForPaymentAsync("shop_3", 10, default)).ShouldBeEmpty();
    }

    private static Payment Charge(string outTradeNo, string chargeId) => new()
    {
        OutTradeNo = outTradeNo, ChargeId = chargeId, Kind = PaymentKinds.Mit, UserId = "gina", AmountMinor = 300, Currency = "USD", Reason = "Top-up",
        PaymentTokenId = "PMTOKEN_0", Status = PaymentStatuses.Created, CreatedAt = 0, UpdatedAt = 0,
    };

    private static Payment Checkout(string outTradeNo) => new()
    {
        OutTradeNo = outTradeNo, Kind = PaymentKinds.Checkout, UserId = "gina", AmountMinor = 1200, Currency = "USD",
        SavesCard = true, SaveMitType = Wire.MitUnscheduled, Status = PaymentStatuses.Pending, CreatedAt = 0, UpdatedAt = 0,
    };

    private static OrderUpdate Update(string outTradeNo, string status, string? token) =>
        new(outTradeNo, status, "T1", "APPLY_SUCCESS", "ok", token, "VISA", "444433******1111");

    private static WalletEntry Entry(string status, bool mitAllowed) => new()
    {
        PaymentTokenId = "PMTOKEN_1", UserId = "gina", Brand = "VISA", MaskedCard = "444433******1111", Expiry = "2030-03-31", Status = status, MitAllowed = mitAllowed, UpdatedAt = 0,
    };
}
