using System.Collections.Concurrent;
using TokenPay.Gateway.Storage;
using static TokenPay.Gateway.Tests.StorageContracts.GatewayStores;

namespace TokenPay.Gateway.Tests.StorageContracts;

public class NotificationOutboxContract
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_ConcurrentDispatchersOnTwoNodes_LeaseEachDueRowToOneOfThem(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        await using var second = db.OpenSecondNode();
        var stores = new GatewayStores(db.Database);
        await QueueAsync(stores, 40);
        var nodes = new[] { stores, new GatewayStores(second) };
        var leased = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            while (await nodes[i % 2].Outbox.ClaimDueAsync($"dispatcher-{i}", 5_000, 65_000, 3, default) is { Count: > 0 } batch)
            {
                foreach (var row in batch)
                {
                    leased.Add(row.Id);
                }
            }
        }));

        leased.Count.ShouldBe(40);
        leased.Distinct().Count().ShouldBe(40, "no row was leased twice");
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ExpiredLease_IsTakenOver_AndTheOldOwnerCannotRecordAnAttempt(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await QueueAsync(stores, 1);
        var first = (await stores.Outbox.ClaimDueAsync("dead-node", 5_000, 65_000, 10, default)).Single();

        (await stores.Outbox.ClaimDueAsync("live-node", 64_999, 125_000, 10, default)).ShouldBeEmpty("the lease still holds");
        (await stores.Outbox.NextDueAsync(default)).ShouldBe(65_000, "a leased row falls due again when its lease ends");
        var takenOver = (await stores.Outbox.ClaimDueAsync("live-node", 65_000, 125_000, 10, default)).Single();

        takenOver.Id.ShouldBe(first.Id);
        (await stores.Outbox.RecordAttemptAsync(Attempt(first.Id, acknowledged: true), "dead-node", default)).ShouldBeFalse();
        (await stores.Outbox.RecordAttemptAsync(Attempt(first.Id, acknowledged: true), "live-node", default)).ShouldBeTrue();
        var summary = (await stores.Outbox.ListAsync(NotificationStatuses.Delivered, 10, default)).Single();
        (summary.Attempts, summary.DeliveredAt, summary.NextAttemptAt).ShouldBe((1, 66_000L, (long?)null));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Attempts_ScheduleTheNext_FailAfterTheLast_AndResendStartsOver(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await QueueAsync(stores, 1);
        var row = (await stores.Outbox.ClaimDueAsync("node", 5_000, 65_000, 10, default)).Single();
        (row.ScheduleIndex, row.Attempts, row.FirstAttemptAt).ShouldBe((0, 0, (long?)null));
        row.Body.ShouldBe("{\"n\":0}"u8.ToArray(), "the bytes the feature built");

        (await stores.Outbox.RecordAttemptAsync(Attempt(row.Id, acknowledged: false, next: 20_000) with { HttpStatus = 500, ResponseExcerpt = "oops" }, "node", default)).ShouldBeTrue();
        (await stores.Outbox.NextDueAsync(default)).ShouldBe(20_000);
        var retry = (await stores.Outbox.ClaimDueAsync("node", 20_000, 80_000, 10, default)).Single();
        (retry.ScheduleIndex, retry.Attempts, retry.FirstAttemptAt).ShouldBe((1, 1, (long?)6_000));
        (await stores.Outbox.RecordAttemptAsync(Attempt(row.Id, acknowledged: false, next: null) with { Error = "timed out" }, "node", default)).ShouldBeTrue();

        (await stores.Outbox.ListAsync(NotificationStatuses.Failed, 10, default)).Single().Attempts.ShouldBe(2);
        (await stores.Outbox.NextDueAsync(default)).ShouldBeNull();
        var attempts = await stores.Outbox.ListAttemptsAsync(row.Id, default);
        attempts.Select(a => (a.Attempt, a.HttpStatus, a.ResponseExcerpt, a.Error)).ShouldBe([(1, (int?)500, (string?)"oops", (string?)null), (2, null, null, "timed out")]);

        (await stores.Outbox.ResendAsync(row.Id, 90_000, default)).ShouldBeTrue();
        (await stores.Outbox.ResendAsync(row.Id + 1_000, 90_000, default)).ShouldBeFalse();
        var resent = (await stores.Outbox.ClaimDueAsync("node", 90_000, 150_000, 10, default)).Single();
        (resent.ScheduleIndex, resent.FirstAttemptAt).ShouldBe((0, (long?)null));
    }

    private static async Task QueueAsync(GatewayStores stores, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (orderId, cardId) = await stores.InsertOrderWithCardAsync($"notify_{i}", $"FP{i}");
            await stores.Orders.CompleteAsync(Success(orderId, Bind(cardId, $"PMTOKEN_{i + 1}", $"FP{i}"), Draft(body: $"{{\"n\":{i}}}")) with { CompletedAt = 5_000 }, default);
        }
    }

    private static DeliveryAttempt Attempt(long id, bool acknowledged, long? next = 100_000) => new()
    {
        NotificationId = id, StartedAt = 66_000, LatencyMs = 12, Acknowledged = acknowledged, FirstAttemptAt = 6_000, NextAttemptAt = next, HttpStatus = acknowledged ? 200 : null,
    };
}
