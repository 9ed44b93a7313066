using TokenPay.Gateway.Storage;
using TokenPay.Protocol.Models;
using static TokenPay.Gateway.Tests.StorageContracts.GatewayStores;

namespace TokenPay.Gateway.Tests.StorageContracts;

/// <summary>What every engine's dispute storage guarantees; each test runs on SQLite and on PostgreSQL.</summary>
public class DisputeStoreContract
{
    [Theory, OnSqlite, OnPostgres]
    public async Task AFreeze_IsCheckedWithTheRefunds_AndARepeatedReportWritesNothing(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var disputes = new DisputeStore(db.Database);
        var orderId = await PaidOrderAsync(db, refundedMinor: 1_000);

        var tooMuch = await disputes.WriteAsync(Raise(orderId, "A1", amountMinor: 1_000, reportId: "r1"), default);
        var whatIsLeft = await disputes.WriteAsync(Raise(orderId, "A1", amountMinor: 999, reportId: "r1"), default);
        var again = await disputes.WriteAsync(Raise(orderId, "A1", amountMinor: 999, reportId: "r1"), default);

        (tooMuch, whatIsLeft, again).ShouldBe((DisputeWriteOutcome.Stale, DisputeWriteOutcome.Applied, DisputeWriteOutcome.Repeated));
        (await db.Database.QueryFirstOrDefaultAsync<long>("SELECT disputed_minor FROM orders;", null, default)).ShouldBe(999);
        (await db.CountAsync("disputes"), await db.CountAsync("dispute_events"), await db.CountAsync("notifications")).ShouldBe((1, 1, 1));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ConcurrentMovesFromTheSameStatus_OneApplies_AndEachChangeTakesTheNextNumber(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var disputes = new DisputeStore(db.Database);
        var orderId = await PaidOrderAsync(db);
        await disputes.WriteAsync(Raise(orderId, "A2", amountMinor: 1_999, reportId: "raise"), default);
        var raised = (await disputes.FindByAcquirerCaseAsync("Simulator", "A2", default))!;

        var lost = raised with { Status = DisputeStatuses.End, CaseResult = CaseResults.Fail, UpdatedAt = 3_000 };
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => disputes.WriteAsync(
            new DisputeChange(lost, DisputeStatuses.Inquiry, $"rule{i}", DisputeStatuses.End, CaseResults.Fail, 3_000, Moves: true, DisputeMoney.FrozenToChargedBack, null), default))));

        outcomes.Count(o => o == DisputeWriteOutcome.Applied).ShouldBe(1);
        var moved = (await disputes.FindByAcquirerCaseAsync("Simulator", "A2", default))!;
        (moved.Status, moved.ChangeSeq).ShouldBe((DisputeStatuses.End, raised.ChangeSeq + 1));
        (await db.Database.QueryFirstOrDefaultAsync<(long, long)>("SELECT disputed_minor, charged_back_minor FROM orders;", null, default)).ShouldBe((0L, 1_999L));
        (await disputes.ListChangedAsync(TestKeys.MerchantNo, null, raised.ChangeSeq, 10, default)).Select(d => d.CaseId).ShouldBe([raised.CaseId]);
    }

    private static async Task<long> PaidOrderAsync(TestDatabase db, long refundedMinor = 0)
    {
        var stores = new GatewayStores(db.Database);
        var (orderId, _) = await stores.InsertOrderWithCardAsync("disputed_1");
        await db.Database.ExecuteAsync("UPDATE orders SET status = 'SUCCESS', refunded_minor = @refundedMinor WHERE id = @orderId;", new { refundedMinor, orderId }, default);
        return orderId;
    }

    private static DisputeChange Raise(long orderId, string acquirerCaseId, long amountMinor, string reportId)
    {
        var dispute = new DisputeRecord
        {
            CaseId = "D" + Guid.NewGuid().ToString("N")[..20], Acquirer = "Simulator", AcquirerCaseId = acquirerCaseId, OrderId = orderId, MerchantNo = TestKeys.MerchantNo,
            AppId = TestKeys.AppId, ReasonCategory = DisputeReasons.Fraud, ReasonCode = "10.4", ReasonMessage = "Fraud", AmountMinor = amountMinor, FeeMinor = 30,
            Currency = "USD", Status = DisputeStatuses.Inquiry, RetrievalDate = "2026-11-22", ExpirationDate = "2026-12-06", CreatedAt = 2_000, UpdatedAt = 2_000,
        };
        return new DisputeChange(dispute, null, reportId, dispute.Status, null, 2_000, Moves: true, DisputeMoney.Freeze, Draft("CHARGEBACK"));
    }
}
