using System.Diagnostics;
using TokenPay.Merchant.Hosting;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace TokenPay.Sandbox;

/// <summary>
/// The gateway as a cluster on one machine: a PostgreSQL of its own (or the one given), N gateway processes on
/// it, a round-robin front door (YARP) on the gateway port that sends a request a dead node cannot take to another
/// node and drops the dead one, and the demo merchant (on the same PostgreSQL) in front of it. Ctrl+C stops
/// everything, PostgreSQL last.
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
            if (!await Sandbox.TryStartAsync(frontDoor, sandbox.GatewayPort, "--gateway-port", cancellationToken))
            {
                return 1;
            }

            if (!await Sandbox.TryStartAsync(merchant, sandbox.MerchantPort, "--merchant-port", cancellationToken))
            {
                await frontDoor.StopAsync(CancellationToken.None);
                return 1;
            }

            // The merchant commands then use the cluster's PostgreSQL, as the shop does.
            sandbox.RecordMerchantStorage(merchantDatabase);
            using var running = RunningSandbox.Record(sandbox);

            PrintWelcome(nodes, ports, local);
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

    // Where everything is and how to see the front door at work.
    private void PrintWelcome(List<Process> nodes, List<int> ports, LocalPostgres? local) =>
        Console.WriteLine($"""

            TokenPay cluster is running: {nodeCount} gateway nodes on PostgreSQL{(local is null ? "" : $" 127.0.0.1:{local.Port} (data in {Path.Combine(sandbox.DataDirectory, "postgres")})")}.
            Stop everything with Ctrl+C.

              Front door  {sandbox.GatewayUrl}/   round robin over the nodes, each checked at /readyz every 2 s
            {string.Join('\n', nodes.Select((n, i) => $"  Node {i + 1}      http://127.0.0.1:{ports[i]}/   pid {n.Id}"))}
              Shop        {sandbox.MerchantUrl}/   the demo merchant, on the same PostgreSQL
              Operator    {sandbox.MerchantUrl}/shop/operator   user operator, password {sandbox.Keys.OperatorPassword}; API key {sandbox.Keys.OperatorApiKey}
              Merchant    appId {sandbox.Keys.AppId}, merchantNo {sandbox.Keys.MerchantNo}; keys in {Path.Combine(sandbox.DataDirectory, "sandbox.json")}

            Try: kill -9 one node's pid while you pay or charge: the front door sends its requests to the others and drops it
            (one line below says so), and the other nodes deliver its pending notifications once its leases expire.

            """);

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
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening but not answering within the client's timeout yet (a busy machine): ask again.
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

    // Request bodies up to this size are kept so a request can be sent again; API bodies are far smaller (the gateway's limit is 64 KiB by default).
    private const int MaxResentBodyBytes = 1024 * 1024;

    private WebApplication FrontDoor(IReadOnlyList<int> ports)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Configured here alone, not by whatever appsettings.json is in the current folder (a test's output folder holds the gateway's).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Extensions.Hosting"] = "None",
            // YARP logs every failed probe and every failed forward with a stack trace; NodeHealth prints one line per change instead.
            ["Logging:LogLevel:Yarp.ReverseProxy.Health"] = "None",
            ["Logging:LogLevel:Yarp.ReverseProxy.Forwarder"] = "None",
        });
        builder.WebHost.UseUrls(sandbox.GatewayUrl);
        builder.Services.AddSingleton<NodeHealth>();
        builder.Services.AddSingleton<IActiveHealthCheckPolicy>(services => services.GetRequiredService<NodeHealth>());
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "gateway", ClusterId = "nodes", Match = new RouteMatch { Path = "{**path}" } }],
            [
                new ClusterConfig
                {
                    ClusterId = "nodes",
                    LoadBalancingPolicy = "RoundRobin",
                    HealthCheck = new HealthCheckConfig
                    {
                        Active = new ActiveHealthCheckConfig { Enabled = true, Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1), Path = "/readyz", Policy = NodeHealth.PolicyName },
                        // With every node out, try them all rather than refuse: one may be back before its probe says so.
                        AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
                    },
                    Destinations = ports.Select((port, i) => (Id: $"node{i + 1}", Port: port)).ToDictionary(d => d.Id, d => new DestinationConfig { Address = $"http://127.0.0.1:{d.Port}/" }),
                },
            ]);
        var app = builder.Build();
        var health = app.Services.GetRequiredService<NodeHealth>();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ExplainForwardingFailureAsync);
            proxy.Use((http, next) => SendOnUntilANodeAnswersAsync(http, next, health));
            proxy.UseLoadBalancing();
        });
        return app;
    }

    // A request that could not reach its node (connection refused, or dropped before the first byte of an answer) goes to the next
    // node the load balancer picks, until one answers or every node was tried. Safe to send again: every API request is idempotent
    // by outTradeNo (a repeat is ORDER_REPEAT, never a second charge), and a node answers only once what it did is durable.
    private static async Task SendOnUntilANodeAnswersAsync(HttpContext http, Func<Task> next, NodeHealth health)
    {
        if (http.Request.ContentLength > MaxResentBodyBytes)
        {
            await next();
            return;
        }

        // Kept in memory, never in a temporary file: a body may hold a card number.
        http.Request.EnableBuffering(bufferThreshold: MaxResentBodyBytes, bufferLimit: MaxResentBodyBytes);
        var proxy = http.GetReverseProxyFeature();
        var untried = proxy.AvailableDestinations;
        while (true)
        {
            await next();
            if (http.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request or ForwarderError.RequestBodyDestination } failure
                || http.Response.HasStarted
                || http.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            var node = proxy.ProxiedDestination!;
            health.Unreachable(proxy.Route.Cluster!, node, failure.Exception);
            untried = [.. untried.Where(d => d != node)];
            if (untried.Count == 0)
            {
                return;
            }

            http.Features.Set<IForwarderErrorFeature>(null);
            http.Response.Clear();
            http.Request.Body.Position = 0;
            proxy.AvailableDestinations = untried;
        }
    }

    // A request no node answered gets a sentence instead of an empty 502. A node may have processed it before its connection dropped.
    private static async Task ExplainForwardingFailureAsync(HttpContext http, Func<Task> next)
    {
        await next();
        if (http.Features.Get<IForwarderErrorFeature>() is not null && !http.Response.HasStarted)
        {
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("No gateway node answered this request (a node just stopped?). Query the order by outTradeNo, or send the request again: a repeated outTradeNo is answered ORDER_REPEAT, never charged twice.");
        }
    }

    /// <summary>
    /// Which nodes the front door sends requests to, from two sources: a request that cannot reach a node takes it out at once,
    /// and each /readyz probe (every 2 s) takes a node out when it fails and puts it back when it passes. Nothing else puts a
    /// node back (YARP's passive health check would, once its reactivation period ran out, without asking the node). Prints
    /// one line per change.
    /// </summary>
    private sealed class NodeHealth(IDestinationHealthUpdater updater) : IActiveHealthCheckPolicy
    {
        public const string PolicyName = "NodeReadiness";

        private readonly Lock _changes = new();

        // Taken out by a request since the last probe round: that round may have probed them just before they failed, so it cannot put them back.
        private readonly HashSet<DestinationState> _outSinceLastRound = [];

        public string Name => PolicyName;

        public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
        {
            lock (_changes)
            {
                foreach (var probe in probingResults)
                {
                    if (probe.Response is { IsSuccessStatusCode: true })
                    {
                        if (!_outSinceLastRound.Contains(probe.Destination))
                        {
                            Set(cluster, probe.Destination, DestinationHealth.Healthy, reason: null);
                        }
                    }
                    else
                    {
                        Set(cluster, probe.Destination, DestinationHealth.Unhealthy, Failure(probe));
                    }
                }

                _outSinceLastRound.Clear();
            }
        }

        public void Unreachable(ClusterState cluster, DestinationState node, Exception? error)
        {
            lock (_changes)
            {
                _outSinceLastRound.Add(node);
                Set(cluster, node, DestinationHealth.Unhealthy, Cause(error));
            }
        }

        private void Set(ClusterState cluster, DestinationState node, DestinationHealth health, string? reason)
        {
            var was = node.Health.Active;
            if (was == health)
            {
                return;
            }

            updater.SetActive(cluster, [new NewActiveDestinationHealth(node, health)]);
            // A node's first passed probe (Unknown to Healthy) is no news.
            if (health == DestinationHealth.Unhealthy || was == DestinationHealth.Unhealthy)
            {
                Console.WriteLine($"front door: {node.DestinationId} ({node.Model.Config.Address}) is {(health == DestinationHealth.Unhealthy ? $"down: {reason}" : "back")}");
            }
        }

        private static string Failure(DestinationProbingResult probe) => probe switch
        {
            { Response: { } answer } => $"/readyz answered {(int)answer.StatusCode}",
            { Exception: OperationCanceledException } => "/readyz did not answer in time",
            _ => $"/readyz: {Cause(probe.Exception)}",
        };

        // The innermost exception ("Connection refused", "Connection reset by peer") says it; the wrappers add only stack frames.
        private static string Cause(Exception? error) => error?.GetBaseException().Message ?? "no cause given";
    }
}
