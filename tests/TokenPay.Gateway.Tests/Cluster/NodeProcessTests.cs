using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Npgsql;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests.Cluster;

/// <summary>
/// Gateway nodes as separate processes on one PostgreSQL, with the real clock: a node killed with SIGKILL,
/// and PostgreSQL stopped and restarted while every node is under load.
/// </summary>
public sealed class NodeProcessTests
{
    [PostgresFact]
    public async Task NodeKilledWhileHoldingLeases_AnotherNodeDeliversEveryNotificationAfterTheLease()
    {
        const int Orders = 8;
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("kill");
        await using var receiver = await NotificationReceiver.StartAsync();
        // Node A's deliveries get no answer: A holds their leases, mid-request, when it is killed.
        receiver.Reply = n => n <= Orders ? ReceiverReply.NoAnswer : ReceiverReply.Ack;
        var settings = new Dictionary<string, string?>
        {
            // Long enough that A's hung attempts cannot time out before A is killed (the other nodes start meanwhile).
            ["Gateway:Notifications:Timeout"] = "00:00:08",
            ["Gateway:Notifications:LeaseDuration"] = "00:00:09",
            ["Gateway:Notifications:MaxConcurrency"] = "16",
            // On a slow machine A may time out an attempt before it dies; its retry then comes within seconds.
            ["Gateway:Notifications:Schedule:0"] = "00:00:00",
            ["Gateway:Notifications:Schedule:1"] = "00:00:01",
            ["Gateway:Notifications:Schedule:2"] = "00:00:02",
        };
        await using var a = await GatewayProcess.StartAsync(database, settings);
        var orders = new List<string>();
        for (var i = 0; i < Orders; i++)
        {
            var order = GatewayFixture.NewId("kill");
            var data = OrderRequests.Card(order, "u1");
            data["notifyUrl"] = receiver.Url;
            (await a.Merchant.PostAsync("orderAndPay", data)).DataString("status").ShouldBe(OrderStatuses.Success);
            orders.Add(order);
        }

        await receiver.WaitForAsync(Orders);
        await using var b = await GatewayProcess.StartAsync(database, settings);
        await using var c = await GatewayProcess.StartAsync(database, settings);
        await a.KillAsync();

        await Eventually.UntilAsync(() => CountAsync(database, "SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), n => n == Orders, "every notification delivered by the surviving nodes", TimeSpan.FromSeconds(30));
        var arrivals = receiver.Received.GroupBy(r => r.Json.GetProperty("data").GetProperty("outTradeNo").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        arrivals.Keys.Order().ShouldBe(orders.Order(), "none lost");
        foreach (var (order, count) in arrivals)
        {
            // Every copy that arrived is a recorded attempt, but for at most one that died with node A mid-request
            // (A may have timed out an attempt before it died: its retry is then recorded, or is the one that died).
            var recorded = await CountAsync(database, $"SELECT COUNT(*) FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}'");
            (count - recorded).ShouldBeInRange(0, 1, $"{order}: copies that arrived beyond the recorded attempts:\n" + await DumpAsync(database));
        }

        (await CountAsync(database, "SELECT COUNT(*) FROM notification_attempts WHERE http_status = 200")).ShouldBe(Orders, "one acknowledged attempt each:\n" + await DumpAsync(database));
        (await CountAsync(database, "SELECT COUNT(*) FROM notification_attempts WHERE http_status IS NULL AND error NOT LIKE 'timed out%'")).ShouldBe(0, "any other attempt is one A timed out before it died");
    }

    [PostgresFact]
    public async Task PostgresRestartedUnderLoadOnThreeNodes_SignedAnswersThroughout_NothingAcknowledgedLost_NodesRecoverByThemselves()
    {
        var server = await PostgresServer.StartPrivateAsync();
        try
        {
            var database = await server.CreateDatabaseAsync("restart") + ";Timeout=3;Command Timeout=5";
            await using var first = await GatewayProcess.StartAsync(database);
            await using var second = await GatewayProcess.StartAsync(database);
            await using var third = await GatewayProcess.StartAsync(database);
            var nodes = new[] { first, second, third };
            var answers = new ConcurrentBag<(string Order, GatewayAnswer Answer, TimeSpan Took)>();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var order = GatewayFixture.NewId("pg");
                    var watch = Stopwatch.StartNew();
                    var answer = await nodes[(worker + i) % 3].Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u1"));
                    answers.Add((order, answer, watch.Elapsed));
                }
            })).ToList();

            await Task.Delay(1_000);
            await server.StopAsync();
            await Task.Delay(3_000);
            await server.RestartAsync();
            // Every node serves again by itself: no node is restarted.
            foreach (var node in nodes)
            {
                await Eventually.UntilAsync(() => node.Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("pg"), "u1")), a => a.Code == ResultCodes.ApplySuccess, "node serving after the restart", TimeSpan.FromSeconds(30));
            }

            await stop.CancelAsync();
            await Task.WhenAll(load);

            var all = answers.ToList();
            all.ShouldAllBe(a => a.Answer.Status == HttpStatusCode.OK && a.Answer.SignatureValid, "every answer, during the outage too, is a signed 200");
            all.Select(a => a.Answer.Code).Distinct().Order().ShouldBe([ResultCodes.ApplySuccess, ResultCodes.SystemError]);
            all.Max(a => a.Took).ShouldBeLessThan(TimeSpan.FromSeconds(20), "an outage answers within the connection and command timeouts");
            foreach (var (order, _, _) in all.Where(a => a.Answer.Code == ResultCodes.ApplySuccess))
            {
                (await nodes[0].Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Success, $"acknowledged order {order}");
            }

            (await CountAsync(database, "SELECT COUNT(*) FROM orders")).ShouldBeGreaterThanOrEqualTo(all.Count(a => a.Answer.Code == ResultCodes.ApplySuccess));
        }
        finally
        {
            await server.StopAsync();
        }
    }

    private static async Task<string> DumpAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT notification_id, attempt, started_at, http_status, latency_ms, error FROM notification_attempts ORDER BY notification_id, attempt", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new System.Text.StringBuilder();
        while (await reader.ReadAsync())
        {
            lines.AppendLine(string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(reader.GetValue)));
        }

        return lines.ToString();
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
