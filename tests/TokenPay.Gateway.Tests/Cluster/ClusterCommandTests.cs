using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Tests.Cluster;

/// <summary>The sandbox's <c>cluster</c> verb as a person runs it: one front door over three nodes on its own PostgreSQL, stopped with Ctrl+C.</summary>
public sealed class ClusterCommandTests
{
    [PostgresFact]
    public async Task Cluster_ServesThroughTheFrontDoor_SurvivesAKilledNode_AndStopsCleanlyOnCtrlC()
    {
        // Not a private temporary folder: PostgreSQL runs as the postgres user, who must reach its data.
        var data = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"tokenpay-cluster-{Guid.NewGuid():N}")).FullName;
        var (gatewayPort, merchantPort) = (FreePorts.Next(), FreePorts.Next());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "TokenPay.Sandbox.dll"), "cluster", "--data", data, "--gateway-port", $"{gatewayPort}", "--merchant-port", $"{merchantPort}"])
        {
            start.ArgumentList.Add(argument);
        }

        using var sandbox = Process.Start(start)!;
        var output = new StringBuilder();
        sandbox.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        sandbox.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        sandbox.BeginOutputReadLine();
        sandbox.BeginErrorReadLine();
        string Printed() { lock (output) { return output.ToString(); } }
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult(Printed()), o => o.Contains("cluster is running", StringComparison.Ordinal) || sandbox.HasExited, "the cluster's banner", TimeSpan.FromSeconds(120));
            sandbox.HasExited.ShouldBeFalse(Printed());
            var pids = System.Text.RegularExpressions.Regex.Matches(Printed(), @"pid (\d+)").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            pids.Count.ShouldBe(3);

            var keys = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "sandbox.json"))).RootElement;
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}"), Timeout = TimeSpan.FromSeconds(30) };
            var merchant = new MerchantClient(http, keys.GetProperty("AppId").GetString()!, keys.GetProperty("MerchantNo").GetString()!,
                RsaKeys.ImportPrivateKey(keys.GetProperty("MerchantPrivateKey").GetString()!), RsaKeys.ImportPublicKey(keys.GetProperty("PlatformPublicKey").GetString()!), TimeProvider.System);
            var saved = GatewayFixture.NewId("cl");
            (await merchant.PostAsync("orderAndPay", OrderRequests.Bind(saved, "u1"))).DataString("status").ShouldBe(OrderStatuses.Success);

            Process.GetProcessById(pids[0]).Kill();
            var answers = new List<GatewayAnswer>();
            for (var i = 0; i < 9; i++)
            {
                answers.Add(await merchant.QueryAsync(saved));
            }

            // The one request that meets the dead node gets a plain 502 that says so; the node is then out of the rotation.
            var failed = answers.Where(a => a.Status != System.Net.HttpStatusCode.OK).ToList();
            failed.Count.ShouldBeLessThanOrEqualTo(1);
            failed.ShouldAllBe(a => a.Status == System.Net.HttpStatusCode.BadGateway && Encoding.UTF8.GetString(a.Body).Contains("never charged twice", StringComparison.Ordinal));
            answers.Except(failed).ShouldAllBe(a => a.Code == ResultCodes.ApplySuccess && a.SignatureValid);

            using (var interrupt = Process.Start("kill", ["-INT", $"{sandbox.Id}"]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await sandbox.WaitForExitAsync(patience.Token);
            sandbox.ExitCode.ShouldBe(0, Printed());
            File.Exists(Path.Combine(data, "postgres", "data", "postmaster.pid")).ShouldBeFalse("PostgreSQL was stopped");
            pids.Skip(1).ShouldAllBe(pid => !IsRunning(pid), "every node was stopped");
        }
        finally
        {
            if (!sandbox.HasExited)
            {
                sandbox.Kill(entireProcessTree: true);
            }

            Directory.Delete(data, recursive: true);
        }
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
