using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Tests.Cluster;

/// <summary>
/// The sandbox's <c>cluster</c> verb as a person runs it (its own PostgreSQL, three nodes, the front door and the
/// demo merchant) in a process of its own, with what it printed, its nodes as its banner lists them, and a
/// merchant client that signs with the sandbox's keys and sends through the front door.
/// </summary>
internal sealed partial class SandboxCluster : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output;
    private HttpClient? _http;

    private SandboxCluster(Process process, string dataDirectory)
    {
        _process = process;
        _output = new ProcessOutput(process);
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public IReadOnlyList<ClusterNode> Nodes { get; private set; } = [];

    public MerchantClient Merchant { get; private set; } = null!;

    /// <summary>Everything the process printed so far.</summary>
    public string Printed => _output.Text;

    public static async Task<SandboxCluster> StartAsync()
    {
        // Not a private temporary folder: PostgreSQL runs as the postgres user, who must reach its data.
        var data = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"tokenpay-cluster-{Guid.NewGuid():N}")).FullName;
        var gatewayPort = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "TokenPay.Sandbox.dll"), "cluster", "--data", data, "--gateway-port", $"{gatewayPort}", "--merchant-port", $"{FreePorts.Next()}"])
        {
            start.ArgumentList.Add(argument);
        }

        var cluster = new SandboxCluster(Process.Start(start)!, data);
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult(cluster.Printed), o => o.Contains("cluster is running", StringComparison.Ordinal) || cluster._process.HasExited, "the cluster's banner", TimeSpan.FromSeconds(120));
            cluster._process.HasExited.ShouldBeFalse(cluster.Printed);
            cluster.Nodes = NodeLine().Matches(cluster.Printed)
                .Select(m => new ClusterNode($"node{m.Groups[1].Value}", m.Groups[2].Value, int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))
                .ToList();
            var keys = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "sandbox.json"))).RootElement;
            cluster._http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}"), Timeout = TimeSpan.FromSeconds(30) };
            cluster.Merchant = new MerchantClient(cluster._http, keys.GetProperty("AppId").GetString()!, keys.GetProperty("MerchantNo").GetString()!,
                RsaKeys.ImportPrivateKey(keys.GetProperty("MerchantPrivateKey").GetString()!), RsaKeys.ImportPublicKey(keys.GetProperty("PlatformPublicKey").GetString()!), TimeProvider.System);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, its connections dropped.</summary>
    public static void Kill(ClusterNode node)
    {
        using var process = Process.GetProcessById(node.Pid);
        process.Kill();
    }

    /// <summary>Ctrl+C, as a person stops it; the exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        using (var interrupt = Process.Start("kill", ["-INT", $"{_process.Id}"]))
        {
            await interrupt.WaitForExitAsync();
        }

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(patience.Token);
        return _process.ExitCode;
    }

    // A test that failed midway still stops the cluster with Ctrl+C: PostgreSQL runs detached, outside the process tree.
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await InterruptAsync();
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        _http?.Dispose();
        Directory.Delete(DataDirectory, recursive: true);
    }

    // "  Node 1      http://127.0.0.1:41234/   pid 5678" in the banner.
    [GeneratedRegex(@"Node (\d+)\s+(http://\S+)\s+pid (\d+)")]
    private static partial Regex NodeLine();
}

/// <summary>A gateway node of the cluster: its name at the front door (node1, ...), its address and its process.</summary>
internal sealed record ClusterNode(string Name, string Address, int Pid);
