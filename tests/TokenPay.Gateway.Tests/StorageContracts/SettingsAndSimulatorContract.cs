using TokenPay.Gateway.Acquiring;

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
    public async Task SimulatorDecision_LatestWins(Engine engine)
    {
        await using var db = await GatewayStores.CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await stores.Simulator.RecordDecisionAsync("T1", AuthorizationOutcome.Approved("ref-1"), 100, default);
        await stores.Simulator.RecordDecisionAsync("T2", new AuthorizationOutcome(AuthorizationDecision.Pending), 100, default);
        await stores.Simulator.RecordDecisionAsync("T2", new AuthorizationOutcome(AuthorizationDecision.Declined, "CARD_DECLINED", "Declined"), 200, default);

        (await stores.Simulator.FindDecisionAsync("T1", default)).ShouldBe(AuthorizationOutcome.Approved("ref-1"));
        (await stores.Simulator.FindDecisionAsync("T2", default)).ShouldBe(new AuthorizationOutcome(AuthorizationDecision.Declined, "CARD_DECLINED", "Declined"));
        (await stores.Simulator.FindDecisionAsync("T3", default)).ShouldBeNull();
    }
}
