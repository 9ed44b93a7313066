using System.Diagnostics;
using TokenPay.Merchant.Hosting;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace TokenPay.Sandbox;

/// <summary>
/// The gateway as a cluster on one machine: a PostgreSQL of its own (or the one given), N gateway processes on
/// it, a round-robin front door (YARP, with health checks, so a killed node drops out) on the gateway port,
/// and the demo merchant (on the same PostgreSQL) in front of it. Ctrl+C stops everything, PostgreSQL last.
/// </summary>
internal sealed class Cluster(Sandbox sandbox, int nodeCount, string? postgres)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        LocalPostgres? local = null;
        var nodes = new List<Process>();
        try
        {
            string gatewayDatabase, merchantDatabase;
            if (postgres is null)
            {
                local = await LocalPostgres.StartAsync(Path.Combine(sandbox.DataDirectory, "postgres"));
                (gatewayDatabase, merchantDatabase) = (await local.DatabaseAsync("tokenpay_gateway"), await local.DatabaseAsync("tokenpay_merchant"));
            }
            else
            {
                (gatewayDatabase, merchantDatabase) = (postgres, postgres);
            }

            // One node applies the migrations first; the others then start together (they would also wait on the migration lock).
            var ports = Enumerable.Range(0, nodeCount).Select(_ => LocalPostgres.FreePort()).ToList();
            nodes.Add(await StartNodeAsync(ports[0], gatewayDatabase, cancellationToken));
            nodes.AddRange(await Task.WhenAll(ports.Skip(1).Select(port => StartNodeAsync(port, gatewayDatabase, cancellationToken))));

            await using var frontDoor = FrontDoor(ports);
            await using var merchant = await MerchantApp.CreateAsync([], builder =>
            {
                builder.WebHost.UseUrls(sandbox.MerchantUrl);
                sandbox.ConfigureMerchant(builder);
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Merchant:Storage:Provider"] = "Postgres",
                    ["Merchant:Storage:ConnectionString"] = merchantDatabase,
                    ["Merchant:ReconcileAfter"] = "00:01:00",
                });
            }, cancellationToken);
            if (!await Sandbox.TryStartAsync(frontDoor, sandbox.GatewayPort, "--gateway-port", cancellationToken)
                || !await Sandbox.TryStartAsync(merchant, sandbox.MerchantPort, "--merchant-port", cancellationToken))
            {
                return 1;
            }

            Console.WriteLine($"""

                TokenPay cluster is running: {nodeCount} gateway nodes on PostgreSQL{(local is null ? "" : $" 127.0.0.1:{local.Port} (data in {Path.Combine(sandbox.DataDirectory, "postgres")})")}.
                Stop everything with Ctrl+C.

                  Front door  {sandbox.GatewayUrl}/   round robin over the nodes, each checked at /readyz every 2 s
                {string.Join('\n', nodes.Select((n, i) => $"  Node {i + 1}      http://127.0.0.1:{ports[i]}/   pid {n.Id}"))}
                  Shop        {sandbox.MerchantUrl}/   the demo merchant, on the same PostgreSQL
                  Operator    {sandbox.MerchantUrl}/shop/operator   user operator, password {sandbox.Keys.OperatorPassword}; API key {sandbox.Keys.OperatorApiKey}
                  Merchant    appId {sandbox.Keys.AppId}, merchantNo {sandbox.Keys.MerchantNo}; keys in {Path.Combine(sandbox.DataDirectory, "sandbox.json")}

                Try: kill -9 one node's pid while you pay or charge: the front door drops it, and the other nodes deliver its
                pending notifications once its leases expire.

                """);
            await merchant.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        finally
        {
            await Task.WhenAll(nodes.Select(StopNodeAsync));
            if (local is not null)
            {
                await local.StopAsync();
            }
        }
    }

    private async Task<Process> StartNodeAsync(int port, string database, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TokenPay.Gateway.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        // Settings (the platform key among them) go in the environment, not on the command line every local user can list.
        foreach (var (key, value) in sandbox.GatewaySettings(database))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var node = Process.Start(start)!;
        // Warnings and errors only (the node's own logging settings); shown with the node's port.
        node.OutputDataReceived += (_, e) => Print(port, e.Data);
        node.ErrorDataReceived += (_, e) => Print(port, e.Data);
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (node.HasExited)
            {
                throw new ClusterSetupException($"Gateway node on port {port} exited with {node.ExitCode}; its output is above.");
            }

            try
            {
                using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"), cancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return node;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"Gateway node on port {port} did not answer within 60 s.");
    }

    private static void Print(int port, string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            Console.WriteLine($"node:{port} {line}");
        }
    }

    // SIGTERM first, so a node finishes its requests and its deliveries record their attempts; SIGKILL after 10 s.
    private static async Task StopNodeAsync(Process node)
    {
        if (!node.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await node.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
            }
        }

        node.Dispose();
    }

    private WebApplication FrontDoor(IReadOnlyList<int> ports)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Configured here alone, not by whatever appsettings.json is in the current folder (a test's output folder holds the gateway's).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Extensions.Hosting"] = "None",
        });
        builder.WebHost.UseUrls(sandbox.GatewayUrl);
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "gateway", ClusterId = "nodes", Match = new RouteMatch { Path = "{**path}" } }],
            [
                new ClusterConfig
                {
                    ClusterId = "nodes",
                    LoadBalancingPolicy = "RoundRobin",
                    HealthCheck = new HealthCheckConfig
                    {
                        Active = new ActiveHealthCheckConfig { Enabled = true, Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1), Path = "/readyz", Policy = "ConsecutiveFailures" },
                        Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = "TransportFailureRate", ReactivationPeriod = TimeSpan.FromSeconds(10) },
                    },
                    Destinations = ports.Select((port, i) => (Id: $"node{i + 1}", Port: port)).ToDictionary(d => d.Id, d => new DestinationConfig { Address = $"http://127.0.0.1:{d.Port}/" }),
                },
            ]);
        // One refused connection takes a node out of the rotation (until an active check finds it healthy again).
        builder.Services.Configure<TransportFailureRateHealthPolicyOptions>(o => o.MinimalTotalCountThreshold = 1);
        var app = builder.Build();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
            proxy.Use(ExplainForwardingFailureAsync);
        });
        return app;
    }

    // A request that met a dying node gets a sentence instead of an empty 502. The node may have processed it.
    private static async Task ExplainForwardingFailureAsync(HttpContext http, Func<Task> next)
    {
        await next();
        if (http.Features.Get<IForwarderErrorFeature>() is not null && !http.Response.HasStarted)
        {
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("No gateway node answered this request (a node just stopped?). Query the order by outTradeNo, or send the request again: a repeated outTradeNo is answered ORDER_REPEAT, never charged twice.");
        }
    }

}
