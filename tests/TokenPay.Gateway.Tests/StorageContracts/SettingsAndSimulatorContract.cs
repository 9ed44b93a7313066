using TokenPay.Acquiring;
using TokenPay.Acquiring.Simulator;

namespace TokenPay.Gateway.Tests.StorageContracts;

public class SettingsAndSimulatorContract
{
    [Theory, OnSqlite, OnPostgres]
    public async Task GetOrAddSetting_ConcurrentNodes_AllGetTheFirstWritersValue(Engine engine)
    {
        await using var db = await GatewayStores.CreateAsync(engine);
        await using var second = db.OpenSecondNode();
        var nodes = new[] { new GatewayStores(db.Database), new GatewayStores(second) };

        var values = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => nodes[i % 2].Settings.GetOrAddAsync("platform.key", $"value-{i}", default)));

        values.Distinct().Count().ShouldBe(1);
        (await nodes[1].Settings.GetAsync("platform.key", default)).ShouldBe(values[0]);
        (await nodes[0].Settings.GetAsync("missing", default)).ShouldBeNull();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task SimulatorDecision_LatestWins_WithItsNetworkIdAndAdvice(Engine engine)
    {
        await using var db = await GatewayStores.CreateAsync(engine);
        var simulator = await OpenSimulatorAsync(db.Database);
        var declined = AuthorizationOutcome.Declined("CARD_DECLINED", "Declined", new DeclineAdvice(2, "25"));
        await simulator.RecordDecisionAsync("T1", AuthorizationOutcome.Approved("ref-1", "123456789012345"), 100, null, null, null, null, default);
        await simulator.RecordDecisionAsync("T2", AuthorizationOutcome.StillPending, 100, null, null, null, null, default);
        await simulator.RecordDecisionAsync("T2", declined, 200, null, null, null, null, default);

        (await simulator.FindDecisionAsync("T1", default)).ShouldBe(AuthorizationOutcome.Approved("ref-1", "123456789012345"));
        (await simulator.FindDecisionAsync("T2", default)).ShouldBe(declined);
        (await simulator.FindDecisionAsync("T3", default)).ShouldBeNull();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task SimulatorMemory_CredentialsAndAttemptsPerMerchantAndCard_NewestFirst(Engine engine)
    {
        await using var db = await GatewayStores.CreateAsync(engine);
        var simulator = await OpenSimulatorAsync(db.Database);
        // A second opening (another node) keeps the first node's card-key secret.
        var again = await OpenSimulatorAsync(db.Database);
        again.CardKey("4242424242424242").ShouldBe(simulator.CardKey("4242424242424242"));
        simulator.CardKey("4242424242424242").ShouldNotContain("4242");

        var key = simulator.CardKey("4242424242424242");
        var issued = new IssuedCredential { NetworkTransactionId = "111", MerchantNo = "M1", CardKey = key, Stored = true };
        await simulator.RecordDecisionAsync("T1", AuthorizationOutcome.Approved("r", "111"), 1_000, issued, null, null, null, default);
        foreach (var (token, at, declined) in new[] { ("T2", 2_000L, true), ("T3", 3_000L, false) })
        {
            await simulator.RecordDecisionAsync(token, AuthorizationOutcome.Approved("r"), at, null,
                new MitAttempt { MerchantNo = "M1", CardKey = key, Declined = declined, AdviceCategory = declined ? 2 : null, Reattempt = !declined, Violation = declined ? "X" : null, DecidedAt = at }, null, null, default);
        }

        var standing = await simulator.MitStandingAsync("M1", key, "111", 5_000, default);
        (standing.CredentialStoredCard("M1", key), standing.CredentialStoredCard("M2", key), standing.LastStoredAt, standing.FraudStopsMits, standing.DisputesDue)
            .ShouldBe((true, false, 1_000L, false, 0L));
        standing.Latest("M1", key).Single().ShouldBe(new MitAttempt { MerchantNo = "M1", CardKey = key, Declined = false, Reattempt = true, DecidedAt = 3_000 });
        var stranger = await simulator.MitStandingAsync("M2", key, "999", 5_000, default);
        (stranger.CredentialStoredCard("M2", key), stranger.LastStoredAt, stranger.Latest("M2", key).Count).ShouldBe((false, null, 0));
        var history = await simulator.RecentMitsAsync("M1", key, default);
        history.Select(a => (a.DecidedAt, a.Declined, a.Reattempt)).ShouldBe([(3_000L, false, true), (2_000L, true, false)]);
        (await simulator.RecentMitsAsync("M2", key, default)).ShouldBeEmpty();
        (await simulator.ViolationsAsync("M1", default)).ShouldBe([new ViolationCount { Violation = "X", Count = 1 }]);
    }

    private static async Task<SimulatorStore> OpenSimulatorAsync(TokenPay.Storage.RelationalDatabase database)
    {
        var store = new SimulatorStore(database);
        await store.OpenAsync(default);
        return store;
    }
}
