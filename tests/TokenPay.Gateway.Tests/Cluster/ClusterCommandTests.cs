using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using TokenPay.Protocol;
using Xunit.Abstractions;

namespace TokenPay.Gateway.Tests.Cluster;

/// <summary>The sandbox's <c>cluster</c> verb as a person runs it: one front door over three nodes on its own PostgreSQL, stopped with Ctrl+C.</summary>
public sealed class ClusterCommandTests(ITestOutputHelper log)
{
    [PostgresFact]
    public async Task NodeKilledUnderASteadyStreamOfCharges_EveryChargeAnsweredByAGatewayNode_OneLineSaysSo_CtrlCStopsTheRest()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        cluster.Nodes.Count.ShouldBe(3);
        var killed = cluster.Nodes[0];
        var down = $"front door: {killed.Name} ({killed.Address}) is down";

        // Four merchants charging cards without pause, each charge a new outTradeNo.
        var answers = new ConcurrentQueue<(string OutTradeNo, GatewayAnswer Answer)>();
        using var stop = new CancellationTokenSource();
        var merchants = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var outTradeNo = GatewayFixture.NewId("fd");
                answers.Enqueue((outTradeNo, await cluster.Merchant.PostAsync("orderAndPay", OrderRequests.Card(outTradeNo, "u1"))));
            }
        })).ToList();
        await Eventually.UntilAsync(() => Task.FromResult(answers.Count), n => n >= 30, "charges before the kill", TimeSpan.FromSeconds(60));
        SandboxCluster.Kill(killed);
        var beforeKill = answers.Count;
        // Until the front door has taken the dead node out, and as many charges again after the kill.
        await Eventually.UntilAsync(() => Task.FromResult((Count: answers.Count, cluster.Printed)), s => s.Count >= 2 * beforeKill && s.Printed.Contains(down, StringComparison.Ordinal), "charges after the kill", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(merchants);

        var all = answers.Select(a => a.Answer).ToList();
        var outcomes = all.GroupBy(a => a.Status == HttpStatusCode.OK ? a.Code : $"HTTP {(int)a.Status}").Select(g => $"{g.Count()} {g.Key}");
        log.WriteLine($"{all.Count} charges ({beforeKill} before the kill): {string.Join(", ", outcomes)}");
        log.WriteLine(string.Join('\n', cluster.Printed.Split('\n').Where(line => line.StartsWith("front door:", StringComparison.Ordinal))));
        // A charge the dead node had committed before dying is answered ORDER_REPEAT by the node it was sent on to: signed, never charged twice.
        all.ShouldAllBe(a => a.Status == HttpStatusCode.OK && a.SignatureValid && (a.Code == ResultCodes.ApplySuccess || a.Code == ResultCodes.OrderRepeat),
            $"every one of {all.Count} charges ({beforeKill} before the kill) answered and signed by a node, none a 502 of the front door");
        foreach (var (outTradeNo, _) in answers.Where(a => a.Answer.Code == ResultCodes.OrderRepeat))
        {
            (await cluster.Merchant.QueryAsync(outTradeNo)).Code.ShouldBe(ResultCodes.ApplySuccess, $"the order {outTradeNo} the dead node took is there to query");
        }

        var printed = cluster.Printed;
        printed.Split('\n').Where(line => !line.StartsWith("node:", StringComparison.Ordinal)).ShouldNotContain(line => line.Contains("   at ", StringComparison.Ordinal), "no stack trace from the front door:\n" + printed);
        printed.Split('\n').Count(line => line.StartsWith(down, StringComparison.Ordinal)).ShouldBe(1, printed);

        (await cluster.InterruptAsync()).ShouldBe(0, cluster.Printed);
        File.Exists(Path.Combine(cluster.DataDirectory, "postgres", "data", "postmaster.pid")).ShouldBeFalse("PostgreSQL was stopped");
        cluster.Nodes.Skip(1).ShouldAllBe(node => !IsRunning(node.Pid), "every node was stopped");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
