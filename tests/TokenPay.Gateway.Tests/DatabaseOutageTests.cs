using System.Diagnostics;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// PostgreSQL goes away under a running gateway: requests during the outage get a signed SYSTEM_ERROR promptly
/// (never a hang, never an unsigned 5xx), nothing is half-written, and once the server is back the same gateway
/// serves again without a restart.
/// </summary>
public sealed class DatabaseOutageTests
{
    [PostgresFact]
    public async Task ServerStoppedAndRestarted_SignedSystemErrorThenRecoveryWithoutRestart()
    {
        var server = await PostgresServer.StartPrivateAsync();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Storage:Provider"] = "Postgres",
            ["Gateway:Storage:ConnectionString"] = await server.CreateDatabaseAsync("outage") + ";Timeout=5;Command Timeout=10",
        });
        var before = GatewayFixture.NewId("out");
        (await gateway.Merchant.PostAsync("orderAndPay", OrderRequests.Card(before, "u1"))).DataString("status").ShouldBe(OrderStatuses.Success);

        await server.StopAsync();
        var during = GatewayFixture.NewId("out");
        var watch = Stopwatch.StartNew();
        var refused = await gateway.Merchant.PostAsync("orderAndPay", OrderRequests.Card(during, "u1"));
        watch.Stop();

        refused.Status.ShouldBe(System.Net.HttpStatusCode.OK);
        (await StatusAsync(gateway, "/healthz")).ShouldBe((System.Net.HttpStatusCode.OK, "Healthy"), "the process itself is alive");
        (await StatusAsync(gateway, "/readyz")).ShouldBe((System.Net.HttpStatusCode.ServiceUnavailable, "Unhealthy"), "but not ready without its database");
        refused.SignatureValid.ShouldBeTrue();
        refused.Code.ShouldBe(ResultCodes.SystemError);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "an outage answers, it does not hang");

        await server.RestartAsync();
        var after = await Eventually.UntilAsync(() => gateway.Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("out"), "u1")), a => a.Code == ResultCodes.ApplySuccess, "the gateway serving again");
        after.DataString("status").ShouldBe(OrderStatuses.Success);
        (await StatusAsync(gateway, "/readyz")).ShouldBe((System.Net.HttpStatusCode.OK, "Healthy"));
        (await gateway.Merchant.QueryAsync(before)).DataString("status").ShouldBe(OrderStatuses.Success, "an acknowledged order survives");
        (await gateway.Merchant.QueryAsync(during)).Code.ShouldBe(ResultCodes.OrderNotExist, "the refused request left nothing behind");
        await server.StopAsync();
    }

    private static async Task<(System.Net.HttpStatusCode, string)> StatusAsync(GatewayHost gateway, string path)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
