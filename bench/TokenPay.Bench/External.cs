using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Bench;

/// <summary>What wrk reported for one load (the Lua script's BENCH line).</summary>
internal sealed record WrkResult(long Requests, double Seconds, double P50, double P95, double P99, long Errors, long SocketErrors, long Non2xx, long Exhausted, string FirstError)
{
    public double PerSecond => Requests / Seconds;

    public long AllErrors => Errors + SocketErrors + Exhausted;
}

/// <summary>
/// The headline benchmark: load from outside the process. The gateway and a reference endpoint run as their
/// own processes; wrk (2 threads, Lua over pre-signed bodies) drives them; the limits are measured in the same
/// run by .NET (warmed up, all cores) and cross-checked with <c>openssl speed -multi N rsa2048</c>.
///   dotnet run -c Release --project bench/TokenPay.Bench -- external [--quick] [--loads-only | --drain-only] [--connections 32] [--soak MINUTES] [--postgres "Host=...;Username=..."] [--out FILE]
/// </summary>
internal static partial class External
{
    private const string AppId = "benchapp";
    private const string MerchantNo = "BENCH0001";
    private const int Users = 64;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args)
    {
        // Bodies and databases (a full run's grow past 1 GB) live only as long as the run.
        var directory = Directory.CreateTempSubdirectory("tokenpay-bench-ext-").FullName;
        try
        {
            return await RunInAsync(args, directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<int> RunInAsync(string[] args, string directory)
    {
        var quick = args.Contains("--quick");
        // The API loads alone (limits, reference, MIT, orderQuery, half-peak latency): for A/B runs of a change.
        var loadsOnly = args.Contains("--loads-only");
        // The notification drain alone (limits, then the backlog): for A/B runs of a dispatcher change.
        var drainOnly = args.Contains("--drain-only");
        if (loadsOnly && drainOnly)
        {
            Console.Error.WriteLine("--loads-only and --drain-only each run a part of the bench: give one of them, or neither for the whole run.");
            return 2;
        }

        var modes = string.Concat(args.Where(a => a is "--quick" or "--loads-only" or "--drain-only").Select(a => " " + a));
        var connections = Option(args, "--connections") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 32;
        var output = Option(args, "--out") ?? Path.Combine(Directory.GetCurrentDirectory(), "bench-external.md");
        var postgresServer = Option(args, "--postgres");
        var loadSeconds = quick ? 6 : 12;
        var limitSeconds = quick ? 3 : 10;
        foreach (var tool in new[] { "wrk", "openssl" })
        {
            if (Which(tool) is null)
            {
                Console.Error.WriteLine($"{tool} is needed for the external benchmark: apt-get install -y {tool}");
                return 2;
            }
        }

        var cores = Environment.ProcessorCount;
        var vectors = Path.Combine(AppContext.BaseDirectory, "Vectors");
        string Vector(string name) => File.ReadAllText(Path.Combine(vectors, name)).Trim();
        using var merchantKey = RsaKeys.ImportPrivateKey(Vector("merchant-private.pkcs8.b64"));
        using var platformKey = RsaKeys.ImportPrivateKey(Vector("platform-private.pkcs8.b64"));
        var total = Stopwatch.StartNew();
        Console.WriteLine($"TokenPay external bench ({(quick ? "quick" : "full")}): {cores} cores, wrk 2 threads x {connections} connections, {loadSeconds} s per load");

        // 1. Limits, this minute, on all cores: openssl, then .NET (the gateway's own RSA) after a warm-up.
        var (opensslSigns, opensslVerifies) = await OpenSslSpeedAsync(cores, limitSeconds);
        Limits.SignsPerSecond(platformKey, TimeSpan.FromSeconds(2));
        var signs = Limits.SignsPerSecond(platformKey, TimeSpan.FromSeconds(limitSeconds));
        var verifies = Limits.VerifiesPerSecond(platformKey, TimeSpan.FromSeconds(limitSeconds));
        // One verify (the request) and one sign (the answer) per API request; a notification is one sign.
        var ceiling = 1 / (1 / signs + 1 / verifies);
        // The engine's durable commit limit: SQLite one after another; PostgreSQL on 1 and on 32 connections at once.
        var (gatewayDatabase, referenceDatabase, threeCommitDatabase) = postgresServer is null
            ? ($"Data Source={Path.Combine(directory, "gateway.db")}", null, null)
            : (await BenchDatabase.CreatePostgresAsync(postgresServer), await BenchDatabase.CreatePostgresAsync(postgresServer), await BenchDatabase.CreatePostgresAsync(postgresServer));
        (string Name, double PerSecond)[] commits = referenceDatabase is null
            ? [("SQLite single-row durable commits/s, one after another (no group commit)", Limits.SqliteCommitsPerSecond(Path.Combine(directory, "commits.db"), TimeSpan.FromSeconds(limitSeconds)))]
            : [("PostgreSQL single-row durable commits/s, 1 connection", Limits.PostgresCommitsPerSecond(referenceDatabase, 1, TimeSpan.FromSeconds(limitSeconds))),
               ($"PostgreSQL single-row durable commits/s, {connections} connections at once", Limits.PostgresCommitsPerSecond(referenceDatabase, connections, TimeSpan.FromSeconds(limitSeconds)))];
        var engine = referenceDatabase is null ? "SQLite (WAL, synchronous FULL)" : await BenchDatabase.DescribePostgresAsync(referenceDatabase);
        Console.WriteLine($"limits: openssl {opensslSigns:N0} signs/s {opensslVerifies:N0} verifies/s; .NET {signs:N0} signs/s {verifies:N0} verifies/s; crypto ceiling {ceiling:N0} req/s; {string.Join("; ", commits.Select(l => $"{l.PerSecond:N0} {l.Name}"))}");

        // 2. The reference endpoint and the gateway, each in its own process.
        var settings = new Dictionary<string, string>
        {
            ["Gateway__Storage__Provider"] = postgresServer is null ? "Sqlite" : "Postgres",
            ["Gateway__Storage__ConnectionString"] = gatewayDatabase,
            ["Gateway__PlatformPrivateKey"] = Vector("platform-private.pkcs8.b64"),
            ["Gateway__Merchants__0__AppId"] = AppId,
            ["Gateway__Merchants__0__MerchantNo"] = MerchantNo,
            ["Gateway__Merchants__0__PublicKey"] = Vector("merchant-public.spki.b64"),
            ["Gateway__Notifications__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = "1",
        };
        await using var gateway = await ChildProcess.StartAsync("gateway", Path.Combine(AppContext.BaseDirectory, "TokenPay.Gateway.dll"), [], settings);
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        var signer = new RequestSigner(merchantKey);
        var tokens = new string[Users];
        for (var u = 0; u < Users; u++)
        {
            tokens[u] = await BindAsync(http, signer, u);
        }

        var fresh = gateway.WorkingSet();
        string[] senderStorage = postgresServer is null ? ["--db", Path.Combine(directory, "sender.db")] : ["--postgres", await BenchDatabase.CreatePostgresAsync(postgresServer)];
        if (drainOnly)
        {
            await using var drainReceiver = await Receiver.StartAsync();
            var drainAlone = await DrainAsync(quick, settings, gateway, http, signer, tokens, connections, drainReceiver, senderStorage);
            var drainReport = LimitsReport(quick, modes, engine, cores, connections, loadSeconds, opensslSigns, opensslVerifies, signs, verifies, ceiling, commits).TrimEnd() + "\n" + DrainReport(drainAlone, signs, cores);
            await File.WriteAllTextAsync(output, drainReport);
            Console.WriteLine(drainReport);
            return drainAlone.Complete ? 0 : 1;
        }

        // The reference endpoints, for the loads (the drain has its own sender reference).
        await using var reference = await ChildProcess.StartAsync("reference", Path.Combine(AppContext.BaseDirectory, "TokenPay.Bench.dll"), referenceDatabase is null ? ["reference", "--db", Path.Combine(directory, "reference.db")] : ["reference", "--postgres", referenceDatabase], settings);
        await using var threeCommits = await ChildProcess.StartAsync("three-commit reference", Path.Combine(AppContext.BaseDirectory, "TokenPay.Bench.dll"),
            threeCommitDatabase is null ? ["reference", "--db", Path.Combine(directory, "three-commits.db"), "--commits", "3"] : ["reference", "--postgres", threeCommitDatabase, "--commits", "3"], settings);

        // 3. A warm-up of each kind (not measured): the first seconds of a fresh process are spent compiling
        // its hot code twice (tiered JIT), which would be charged to whichever load came first.
        var warmSeconds = quick ? 4 : 8;
        var warm = await WrkAsync(gateway.BaseAddress, OrderAndPay, signer.Presign(directory, "warm-mit", (int)(ceiling * warmSeconds * 1.2), i => Mit($"bench_warm_{i}", i % Users, tokens)), reuse: false, "\"status\":\"SUCCESS\"", connections, warmSeconds)();
        // The first half of what was answered exists (see the orderQuery load below).
        await WrkAsync(gateway.BaseAddress, OrderQuery, signer.Presign(directory, "warm-query", (int)Math.Min(1_000, (warm.Requests - warm.AllErrors) / 2), i => $$"""{"outTradeNo":"bench_warm_{{i + 2}}"}"""), reuse: true, "APPLY_SUCCESS", connections, warmSeconds)();
        var warmReference = signer.Presign(directory, "warm-reference", 1_000, i => $$"""{"outTradeNo":"warm_{{i}}"}""");
        await WrkAsync(reference.BaseAddress, "/reference", warmReference, reuse: true, "APPLY_SUCCESS", connections, warmSeconds)();
        await WrkAsync(threeCommits.BaseAddress, "/reference", warmReference, reuse: true, "APPLY_SUCCESS", connections, warmSeconds)();

        // 4. Loads, each with bodies signed just before (requestTime stays inside the gateway's window).
        var results = new List<Measured>();
        var mitCount = (int)Math.Min(ceiling * loadSeconds * 1.2, 200_000);
        var mit = await MeasureAsync("MIT orderAndPay (stored token, a new order each)", gateway, WrkAsync(gateway.BaseAddress, OrderAndPay, signer.Presign(directory, "mit", mitCount, i => Mit($"bench_mit_{i}", i % Users, tokens)), reuse: false, "\"status\":\"SUCCESS\"", connections, loadSeconds));
        results.Add(mit);
        // Orders that exist: each wrk thread sent its share of the MIT bodies from the start (even and odd lines),
        // so the first half of what was answered is there, except the very first line: wrk asks a script
        // for one request before the run (to see whether requests change) and never sends it.
        var answered = mit.Result.Requests - mit.Result.AllErrors;
        var queryBodies = signer.Presign(directory, "query", (int)Math.Min(4_000, answered / 2), i => $$"""{"outTradeNo":"bench_mit_{{i + 2}}"}""");
        var query = await MeasureAsync("orderQuery", gateway, WrkAsync(gateway.BaseAddress, OrderQuery, queryBodies, reuse: true, "APPLY_SUCCESS", connections, loadSeconds));
        results.Add(query);
        var referenceBodies = signer.Presign(directory, "reference", 4_000, i => $$"""{"outTradeNo":"ref_{{i}}"}""");
        results.Add(await MeasureAsync("reference: Kestrel + verify + sign + one durable commit", reference, WrkAsync(reference.BaseAddress, "/reference", referenceBodies, reuse: true, "APPLY_SUCCESS", connections, loadSeconds)));
        results.Add(await MeasureAsync(ThreeCommitReference, threeCommits, WrkAsync(threeCommits.BaseAddress, "/reference", referenceBodies, reuse: true, "APPLY_SUCCESS", connections, loadSeconds)));

        // Latency at half the peak, open loop (the targets' p99 is at half the peak rate).
        var halfMit = mit.Result.PerSecond / 2;
        var halfMitBodies = OpenLoop.ReadBodies(signer.Presign(directory, "half-mit", (int)(halfMit * loadSeconds) + 1, i => Mit($"bench_half_{i}", i % Users, tokens)));
        results.Add(await MeasureAsync($"MIT at half its peak, open loop ({halfMit:N0} req/s)", gateway, () => OpenLoop.RunAsync(gateway.BaseAddress, OrderAndPay, i => halfMitBodies[i], "\"status\":\"SUCCESS\"", halfMit, TimeSpan.FromSeconds(loadSeconds))));
        var halfQuery = query.Result.PerSecond / 2;
        var halfQueryBodies = OpenLoop.ReadBodies(queryBodies);
        results.Add(await MeasureAsync($"orderQuery at half its peak, open loop ({halfQuery:N0} req/s)", gateway, () => OpenLoop.RunAsync(gateway.BaseAddress, OrderQuery, i => halfQueryBodies[i % halfQueryBodies.Length], "APPLY_SUCCESS", halfQuery, TimeSpan.FromSeconds(loadSeconds))));

        if (loadsOnly)
        {
            var loads = Report(quick, modes, engine, cores, connections, loadSeconds, opensslSigns, opensslVerifies, signs, verifies, ceiling, commits, results, fresh, total.Elapsed);
            await File.WriteAllTextAsync(output, loads);
            Console.WriteLine(loads);
            return results.Any(r => r.Result.AllErrors > 0) ? 1 : 0;
        }

        // 5. Notification drain (the serving gateway stops there: the dispatching one takes its database).
        await using var receiver = await Receiver.StartAsync();
        var drain = await DrainAsync(quick, settings, gateway, http, signer, tokens, connections, receiver, senderStorage);

        // 6. Delivery latency: a new gateway with the dispatcher at its defaults, open-loop MIT orders that each owe
        // a notification, at 1,000 a second or, on a machine that cannot take that many orders and deliver their
        // notifications too, at half the rate it can: 1 / (1 / MIT peak + 1 / drain rate).
        var latencyRate = Math.Min(1_000, 0.5 / (1 / mit.Result.PerSecond + 1 / drain.Rate));
        var latency = await DeliveryLatencyAsync(settings, receiver, signer, tokens, directory, latencyRate, TimeSpan.FromSeconds(loadSeconds), TimeSpan.FromSeconds(warmSeconds));

        // 7. Growth: the same database grown to a million orders, a new gateway process, the same loads.
        var (grownOrders, grownTokens) = quick ? (100_000, 10_000) : (1_000_000, 100_000);
        var seeding = Stopwatch.StartNew();
        await Growth.SeedAsync(referenceDatabase is null ? null : gatewayDatabase, Path.Combine(directory, "gateway.db"), grownOrders, grownTokens);
        Console.WriteLine($"growth: {grownOrders:N0} orders and {grownTokens:N0} tokens added in {seeding.Elapsed.TotalSeconds:N0} s");
        await using var grown = await ChildProcess.StartAsync("grown gateway", Path.Combine(AppContext.BaseDirectory, "TokenPay.Gateway.dll"), [], settings);
        await WrkAsync(grown.BaseAddress, OrderAndPay, signer.Presign(directory, "grown-warm", (int)(ceiling * warmSeconds * 1.2), i => Mit($"bench_grown_warm_{i}", i % Users, tokens)), reuse: false, "\"status\":\"SUCCESS\"", connections, warmSeconds)();
        var grownResults = new List<Measured>
        {
            await MeasureAsync("MIT orderAndPay, grown", grown, WrkAsync(grown.BaseAddress, OrderAndPay, signer.Presign(directory, "grown-mit", mitCount, i => Mit($"bench_grown_{i}", i % Users, tokens)), reuse: false, "\"status\":\"SUCCESS\"", connections, loadSeconds)),
            // Orders spread over the whole grown table, so the lookups walk a deep index.
            await MeasureAsync("orderQuery, grown", grown, WrkAsync(grown.BaseAddress, OrderQuery, signer.Presign(directory, "grown-query", 4_000, i => $$"""{"outTradeNo":"{{Growth.OrderPrefix}}{{(i * 7_919L % grownOrders) + 1}}"}"""), reuse: true, "APPLY_SUCCESS", connections, loadSeconds)),
        };

        // 8. Memory: the grown gateway under open-loop MIT at half the peak (signed as sent, so requestTime stays fresh).
        var soakMinutes = Option(args, "--soak") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : quick ? 1 : 10;
        var soak = soakMinutes > 0 ? await SoakAsync(grown, signer, tokens, halfMit, TimeSpan.FromMinutes(soakMinutes)) : null;

        var report = Report(quick, modes, engine, cores, connections, loadSeconds, opensslSigns, opensslVerifies, signs, verifies, ceiling, commits, results, fresh, total.Elapsed)
            + DrainReport(drain, signs, cores);
        report += LatencyReport(latency) + GrowthReport(grownOrders, grownTokens, results, grownResults, ceiling) + (soak is null ? "" : SoakReport(soak));
        await File.WriteAllTextAsync(output, report);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"Written to {output}");
        return results.Concat(grownResults).Any(r => r.Result.AllErrors > 0) || soak?.Result.AllErrors > 0 || !drain.Complete || latency.Notified < latency.Answered ? 1 : 0;
    }

    /// <summary>
    /// How long a new process sends before its drain is measured (at most half the backlog): tiered compilation takes
    /// its hot code to the last tier only 4 to 9 s after the start (seen with DOTNET_JitStdOutFile), and compiling is
    /// not what a drain costs.
    /// </summary>
    private static readonly TimeSpan DrainWarmUp = TimeSpan.FromSeconds(10);

    /// <summary>How a backlog drained, measured after the dispatching process's warm-up, and the sender reference's floors.</summary>
    private sealed record Drain(int WarmUp, int Backlog, int Delivered, double Rate, double CpuMsEach, bool Complete, IReadOnlyList<SenderRun> References);

    /// <summary>The sender reference (<see cref="SenderReference"/>) sending as many notifications as the drain measured.</summary>
    private sealed record SenderRun(string? Name, int Sent, double Rate, double CpuMsEach);

    /// <summary>
    /// A backlog queued with the dispatcher off, then a gateway process with it on sends it to a receiver in this
    /// process. Its first <see cref="DrainWarmUp"/> are the new process's warm-up; the rate counts from then to the
    /// last delivery. Stops <paramref name="gateway"/>: the dispatching process takes its database.
    /// </summary>
    private static async Task<Drain> DrainAsync(bool quick, Dictionary<string, string> settings, ChildProcess gateway, HttpClient http, RequestSigner signer, string[] tokens, int connections, Receiver receiver, string[] senderStorage)
    {
        var queued = await QueueAsync(http, signer, quick ? 40_000 : 60_000, connections, i => Mit($"bench_notify_{i}", i % Users, tokens, receiver.Url));
        await gateway.DisposeAsync();
        var dispatching = new Dictionary<string, string>(settings)
        {
            ["Gateway__Notifications__Enabled"] = "true",
            ["Gateway__Notifications__AllowPrivateNetworks"] = "true",
            ["Gateway__Notifications__BatchSize"] = "256",
            ["Gateway__Notifications__MaxConcurrency"] = "64",
        };
        await using var drainer = await ChildProcess.StartAsync("dispatching gateway", Path.Combine(AppContext.BaseDirectory, "TokenPay.Gateway.dll"), [], dispatching);
        // On a machine that drains half the backlog sooner, the other half is still measured.
        var drainWatch = Stopwatch.StartNew();
        while (drainWatch.Elapsed < DrainWarmUp && receiver.Count < queued / 2)
        {
            await Task.Delay(10);
        }

        var (drainStart, drainerCpu, deliveredBefore) = (Stopwatch.GetTimestamp(), drainer.CpuTime(), receiver.Count);
        while (receiver.Count < queued && drainWatch.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(10);
        }

        var (drained, drainedCpu) = (receiver.Count - deliveredBefore, drainer.CpuTime());
        var drainCpuMs = (drainedCpu - drainerCpu).TotalMilliseconds / Math.Max(1, drained);
        var drainRate = drained / Stopwatch.GetElapsedTime(drainStart, receiver.LastAt).TotalSeconds;
        Console.WriteLine($"drain: {drained:N0} of {queued - deliveredBefore:N0} notifications after a warm-up of {deliveredBefore:N0}, {drainRate:N0}/s, {drainCpuMs:N2} ms of dispatcher CPU each");
        await drainer.DisposeAsync();

        // The floors, at the dispatcher's concurrency, after the same warm-up: sign + POST, then also one durable commit each.
        await using var sender = await ChildProcess.StartAsync("sender reference", Path.Combine(AppContext.BaseDirectory, "TokenPay.Bench.dll"), ["sender", .. senderStorage], settings);
        using var senderHttp = new HttpClient { BaseAddress = sender.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        async Task<SenderRun> SendAsync(string? name, int count, bool record)
        {
            var (started, cpu) = (Stopwatch.GetTimestamp(), sender.CpuTime());
            using var sent = await senderHttp.PostAsync(string.Create(CultureInfo.InvariantCulture, $"/send?url={Uri.EscapeDataString(receiver.Url)}&count={count}&concurrency={dispatching["Gateway__Notifications__MaxConcurrency"]}&record={record}"), null);
            var acknowledged = int.Parse(await sent.EnsureSuccessStatusCode().Content.ReadAsStringAsync(), CultureInfo.InvariantCulture);
            var run = new SenderRun(name, acknowledged, acknowledged / Stopwatch.GetElapsedTime(started).TotalSeconds, (sender.CpuTime() - cpu).TotalMilliseconds / Math.Max(1, acknowledged));
            if (name is not null)
            {
                Console.WriteLine($"{name}: {run.Rate:N0}/s, {run.CpuMsEach:N2} ms CPU each");
            }

            return run;
        }

        // The same warm-up: sending for as long, then measuring once its code is compiled at its last tier.
        var senderWatch = Stopwatch.StartNew();
        while (senderWatch.Elapsed < DrainWarmUp)
        {
            await SendAsync(null, 1_000, record: true);
        }

        SenderRun[] references =
        [
            await SendAsync("sender reference: sign + POST + read the answer", drained, record: false),
            await SendAsync("sender reference + one durable commit each (an attempt's record)", drained, record: true),
        ];
        return new Drain(deliveredBefore, queued - deliveredBefore, drained, drainRate, drainCpuMs, deliveredBefore + drained >= queued, references);
    }

    private static string DrainReport(Drain drain, double signs, int cores)
    {
        var sign = 1000.0 * cores / signs;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("| notification drain | backlog | delivered | notifications/s | / signs/s | CPU ms each | beyond its signature, ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| to a receiver in the bench process, dispatcher in its own gateway process, after a warm-up of {drain.WarmUp:N0} | {drain.Backlog:N0} | {drain.Delivered:N0} | {drain.Rate:N0} | {drain.Rate / signs:P0} | {drain.CpuMsEach:N2} | {drain.CpuMsEach - sign:N2} |");
        foreach (var run in drain.References)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {run.Name}, its own process, as many at once as the dispatcher | | {run.Sent:N0} | {run.Rate:N0} | {run.Rate / signs:P0} | {run.CpuMsEach:N2} | {run.CpuMsEach - sign:N2} |");
        }

        return text.ToString();
    }

    private const string ThreeCommitReference = "three-commit reference: the same with three durable commits in a row, as many as an MIT makes";

    private const string OrderAndPay = "/aggregate-pay/api/gateway/orderAndPay";
    private const string OrderQuery = "/aggregate-pay/api/gateway/orderQuery";

    /// <summary>An open-loop MIT load with the server's working set read every second.</summary>
    private sealed record Soak(WrkResult Result, double Rate, TimeSpan Duration, IReadOnlyList<long> WorkingSetPerSecond);

    private static async Task<Soak> SoakAsync(ChildProcess server, RequestSigner signer, string[] tokens, double rate, TimeSpan duration)
    {
        var workingSets = new List<long> { server.WorkingSet() };
        var result = await OpenLoop.RunAsync(server.BaseAddress, OrderAndPay,
            i =>
            {
                var (body, sign) = signer.Sign(Mit($"bench_soak_{i}", i % Users, tokens), PayerMaxTime.Format(TimeProvider.System.GetUtcNow()));
                return (sign, body);
            },
            "\"status\":\"SUCCESS\"", rate, duration, () => workingSets.Add(server.WorkingSet()));
        workingSets.Add(server.WorkingSet());
        Console.WriteLine($"soak: {result.PerSecond:N0} req/s for {duration.TotalMinutes:N0} min, p99 {result.P99:N1} ms, errors {result.AllErrors}, working set {workingSets[1] / 1048576.0:N0} -> {workingSets[^1] / 1048576.0:N0} MiB");
        return new Soak(result, rate, duration, workingSets);
    }

    /// <summary>Orders answered and their notifications received, with the latency from each answer to its notification.</summary>
    private sealed record Latency(double Rate, WrkResult Orders, int Answered, int Notified, double P50, double P95, double P99, double Max);

    private static async Task<Latency> DeliveryLatencyAsync(Dictionary<string, string> settings, Receiver receiver, RequestSigner signer, string[] tokens, string directory, double rate, TimeSpan duration, TimeSpan warmUp)
    {
        var notifying = new Dictionary<string, string>(settings)
        {
            ["Gateway__Notifications__Enabled"] = "true",
            ["Gateway__Notifications__AllowPrivateNetworks"] = "true",
        };
        await using var gateway = await ChildProcess.StartAsync("notifying gateway", Path.Combine(AppContext.BaseDirectory, "TokenPay.Gateway.dll"), [], notifying);
        await SendAndAwaitNotificationsAsync("bench_latency_warm_", warmUp);
        const string prefix = "bench_latency_run_";
        var (orders, answeredAt, arrivals) = await SendAndAwaitNotificationsAsync(prefix, duration);
        var answered = answeredAt.Count(at => at != 0);

        // The order is committed before its answer leaves, so this counts from a moment just after the commit.
        var latencies = answeredAt.Select((at, i) => (at, i)).Where(a => a.at != 0 && arrivals.ContainsKey($"{prefix}{a.i}"))
            .Select(a => Math.Max(0, Stopwatch.GetElapsedTime(a.at, arrivals[$"{prefix}{a.i}"]).TotalMilliseconds)).Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : LoadRun.Percentile(latencies, p);
        Console.WriteLine($"delivery latency at {rate:N0}/s: {latencies.Length:N0} of {answered:N0} notified, p50 {Percentile(0.5):N1} p99 {Percentile(0.99):N1} ms");
        return new Latency(rate, orders, answered, latencies.Length, Percentile(0.50), Percentile(0.95), Percentile(0.99), latencies.Length == 0 ? double.NaN : latencies[^1]);

        // Open-loop orders for a while, then up to 30 s for their notifications (the warm-up's too, so none is left to delay the next).
        async Task<(WrkResult Orders, long[] AnsweredAt, IReadOnlyDictionary<string, long> Arrivals)> SendAndAwaitNotificationsAsync(string outTradeNoPrefix, TimeSpan time)
        {
            var bodies = OpenLoop.ReadBodies(signer.Presign(directory, outTradeNoPrefix, (int)(rate * time.TotalSeconds) + 1, i => Mit($"{outTradeNoPrefix}{i}", i % Users, tokens, receiver.Url)));
            var arrivals = receiver.Track(outTradeNoPrefix);
            var answeredAt = new long[bodies.Length];
            var orders = await OpenLoop.RunAsync(gateway.BaseAddress, OrderAndPay, i => bodies[i], "\"status\":\"SUCCESS\"", rate, time, answered: (i, at) => answeredAt[i] = at);
            var waiting = Stopwatch.StartNew();
            while (arrivals.Count < answeredAt.Count(at => at != 0) && waiting.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }

            return (orders, answeredAt, arrivals);
        }
    }

    private static string LatencyReport(Latency latency) => string.Create(CultureInfo.InvariantCulture, $"""

        | notification delivery latency: open-loop MIT orders at {latency.Rate:N0}/s (1,000, or half of 1 / (1 / MIT peak + 1 / drain rate)), each owing a notification; dispatcher at its defaults | orders answered | notified | from the order's answer to the receiver: p50 ms | p95 ms | p99 ms | max ms | MIT p99 ms |
        |---|---:|---:|---:|---:|---:|---:|---:|
        | a new gateway process, receiver in the bench process | {latency.Answered:N0} | {latency.Notified:N0} | {latency.P50:N1} | {latency.P95:N1} | {latency.P99:N1} | {latency.Max:N1} | {latency.Orders.P99:N1} |

        """);

    private static string GrowthReport(int orders, int tokens, List<Measured> fresh, List<Measured> grown, double ceiling)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| growth: {orders:N0} more orders and {tokens:N0} more tokens, a new gateway process | req/s | p50 ms | p99 ms | errors | / crypto ceiling | / empty database | server CPU ms/req | working set MiB |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (row, before) in grown.Zip(fresh.Take(2)))
        {
            var r = row.Result;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {r.PerSecond:N0} | {r.P50:N1} | {r.P99:N1} | {r.AllErrors} | {r.PerSecond / ceiling:P0} | {r.PerSecond / before.Result.PerSecond:P0} | {row.CpuMsPerRequest:N2} | {row.WorkingSet / 1048576.0:N0} |");
        }

        return text.ToString();
    }

    private static string SoakReport(Soak soak)
    {
        var perMinute = soak.WorkingSetPerSecond.Where((_, i) => i % 60 == 1 || i == soak.WorkingSetPerSecond.Count - 1).Select(w => (w / 1048576.0).ToString("N0", CultureInfo.InvariantCulture));
        var r = soak.Result;
        return string.Create(CultureInfo.InvariantCulture, $"""

            | memory: grown gateway, open-loop MIT at {soak.Rate:N0} req/s for {soak.Duration.TotalMinutes:N0} min | requests | p50 ms | p99 ms | errors | working set MiB, each minute |
            |---|---:|---:|---:|---:|---|
            | signed as sent by the bench process | {r.Requests:N0} | {r.P50:N1} | {r.P99:N1} | {r.AllErrors} | {string.Join(" → ", perMinute)} |

            """);
    }

    /// <summary>One load with what it cost: the server's CPU per request and how busy the machine's cores were.</summary>
    private sealed record Measured(string Name, WrkResult Result, long WorkingSet, double CpuMsPerRequest, double MachineBusy);

    // The load starts when its task does: the CPU counters are read just before it is awaited.
    private static async Task<Measured> MeasureAsync(string name, ChildProcess server, Func<Task<WrkResult>> load)
    {
        var serverCpu = server.CpuTime();
        var machine = MachineCpu.Read();
        var result = await load();
        var busy = MachineCpu.Read().BusySince(machine);
        return new Measured(name, result, server.WorkingSet(), (server.CpuTime() - serverCpu).TotalMilliseconds / result.Requests, busy);
    }

    /// <summary>The report's title, command and the machine's limits measured in the same run.</summary>
    private static string LimitsReport(bool quick, string modes, string engine, int cores, int connections, int loadSeconds, double opensslSigns, double opensslVerifies, double signs, double verifies, double ceiling, (string Name, double PerSecond)[] commits)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### External run ({(quick ? "quick" : "full")}, {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC, {cores} cores)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/TokenPay.Bench -- external{modes}{(engine.StartsWith("PostgreSQL", StringComparison.Ordinal) ? " --postgres ..." : "")}`: wrk 2 threads, {connections} connections, {loadSeconds} s per load, pre-signed bodies; gateway and reference each in their own process on {engine}.");
        text.AppendLine();
        text.AppendLine("| limit (same run, all cores) | openssl speed -multi | .NET (warmed up) |");
        text.AppendLine("|---|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| RSA-2048 signs/s | {opensslSigns:N0} | {signs:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| RSA-2048 verifies/s | {opensslVerifies:N0} | {verifies:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| crypto ceiling of one verify + one sign per request, 1 / (1/signs + 1/verifies) | {1 / (1 / opensslSigns + 1 / opensslVerifies):N0} | {ceiling:N0} |");
        foreach (var (name, perSecond) in commits)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | | {perSecond:N0} |");
        }
        text.AppendLine();
        return text.ToString();
    }

    private static string Report(bool quick, string modes, string engine, int cores, int connections, int loadSeconds, double opensslSigns, double opensslVerifies, double signs, double verifies, double ceiling, (string Name, double PerSecond)[] commits,
        List<Measured> results, long freshWorkingSet, TimeSpan took)
    {
        var referenceRun = results.Single(r => r.Name.StartsWith("reference", StringComparison.Ordinal));
        var reference = referenceRun.Result.PerSecond;
        var text = new StringBuilder(LimitsReport(quick, modes, engine, cores, connections, loadSeconds, opensslSigns, opensslVerifies, signs, verifies, ceiling, commits));
        // The headline: CPU beyond what a signed request costs on this machine travels between machines whose RSA speeds differ threefold.
        var beyond = string.Join("; ", results.Where(r => r.Name.StartsWith("MIT orderAndPay", StringComparison.Ordinal) || r.Name == "orderQuery")
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Name.Split(' ')[0]} {r.CpuMsPerRequest - referenceRun.CpuMsPerRequest:+0.00;-0.00} ms ({r.Result.PerSecond / reference:P0} of its req/s)")));
        text.AppendLine(CultureInfo.InvariantCulture, $"Headline: gateway CPU per request beyond the reference endpoint ({referenceRun.CpuMsPerRequest:N2} ms), at the peak: {beyond}.");
        // What an MIT's two extra durable commits cost by themselves, and so what its own work costs beyond them.
        if (results.Find(r => r.Name == ThreeCommitReference) is { } threeCommits && results.Find(r => r.Name.StartsWith("MIT orderAndPay", StringComparison.Ordinal)) is { } mit)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Of the MIT's {mit.CpuMsPerRequest - referenceRun.CpuMsPerRequest:N2} ms beyond the reference, two more durable commits in a row cost {threeCommits.CpuMsPerRequest - referenceRun.CpuMsPerRequest:N2} ms (three-commit reference, {threeCommits.Result.PerSecond / reference:P0} of the reference's req/s) and the gateway's own work {mit.CpuMsPerRequest - threeCommits.CpuMsPerRequest:N2} ms.");
        }

        text.AppendLine();
        text.AppendLine("| workload | req/s | p50 ms | p95 ms | p99 ms | errors | / crypto ceiling | / reference | server CPU ms/req | beyond the reference, ms | cores busy | working set MiB |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, r, workingSet, cpu, busy) in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {r.PerSecond:N0} | {r.P50:N1} | {r.P95:N1} | {r.P99:N1} | {r.AllErrors} | {r.PerSecond / ceiling:P0} | {r.PerSecond / reference:P0} | {cpu:N2} | {cpu - referenceRun.CpuMsPerRequest:+0.00;-0.00} | {busy:P0} | {workingSet / 1048576.0:N0} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Ceiling: each API request is verified once and answered with one signature, so it costs 1/verifies + 1/signs of all cores (.NET figures: the gateway's own RSA). MIT also pays its durable commits (group commit: shared per batch). Server CPU is the serving process's own (user + system) per answered request; cores busy is the whole machine, wrk included (one RSA sign costs {1000.0 * cores / signs:N2} ms of one core). Gateway working set {freshWorkingSet / 1048576.0:N0} MiB after start and seeding. Run took {took.TotalSeconds:N0} s.");
        foreach (var failed in results.Where(r => r.Result.FirstError.Length > 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"First error in {failed.Name}: `{failed.Result.FirstError}`");
        }

        return text.ToString();
    }

    private static Func<Task<WrkResult>> WrkAsync(Uri target, string path, string bodies, bool reuse, string expect, int connections, int seconds) =>
        () => RunWrkAsync(target, path, bodies, reuse, expect, connections, seconds);

    private static async Task<WrkResult> RunWrkAsync(Uri target, string path, string bodies, bool reuse, string expect, int connections, int seconds)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "-s", Path.Combine(AppContext.BaseDirectory, "signed-bodies.lua"), new Uri(target, path).ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BODIES"] = bodies;
        start.Environment["THREADS"] = "2";
        start.Environment["REUSE"] = reuse ? "1" : "0";
        start.Environment["EXPECT"] = expect;
        using var wrk = Process.Start(start)!;
        var stdout = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("BENCH ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk gave no result: {stdout} {await wrk.StandardError.ReadToEndAsync()}");
        var result = JsonSerializer.Deserialize<WrkResult>(line[6..], Web)!;
        Console.WriteLine($"{path}: {result.PerSecond:N0} req/s p50 {result.P50:N1} p95 {result.P95:N1} p99 {result.P99:N1} ms, errors {result.AllErrors} {result.FirstError}");
        return result;
    }

    // `openssl speed -multi N -seconds S rsa2048`: the last "rsa 2048 bits" line has sign/s and verify/s.
    private static async Task<(double Signs, double Verifies)> OpenSslSpeedAsync(int cores, int seconds)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "speed", "-multi", cores.ToString(CultureInfo.InvariantCulture), "-seconds", seconds.ToString(CultureInfo.InvariantCulture), "rsa2048" })
        {
            start.ArgumentList.Add(argument);
        }

        using var openssl = Process.Start(start)!;
        var stdout = await openssl.StandardOutput.ReadToEndAsync();
        await openssl.WaitForExitAsync();
        var match = RsaLine().Matches(stdout).LastOrDefault() ?? throw new InvalidOperationException($"openssl speed printed no rsa 2048 line: {stdout}");
        return (double.Parse(match.Groups["sign"].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups["verify"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"rsa\s+2048 bits\s+\S+s\s+\S+s\s+(?<sign>[\d.]+)\s+(?<verify>[\d.]+)")]
    private static partial Regex RsaLine();

    // Queues a backlog (not measured): posts signed MITs at the given concurrency; returns how many succeeded.
    private static async Task<int> QueueAsync(HttpClient http, RequestSigner signer, int count, int concurrency, Func<int, string> data)
    {
        var succeeded = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            if (Encoding.UTF8.GetString(await PostAsync(http, signer, "orderAndPay", data(i))).Contains("\"status\":\"SUCCESS\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref succeeded);
            }
        });
        return succeeded;
    }

    private static async Task<string> BindAsync(HttpClient http, RequestSigner signer, int user)
    {
        var data = $$$$"""{"outTradeNo":"bench_bind_{{{{user}}}}","subject":"bind","totalAmount":"0","currency":"USD","country":"US","userId":"bench_user_{{{{user}}}}","integrate":"Direct_Payment","terminalType":"WEB","paymentDetail":{"paymentMethodType":"CARD","tokenForFutureUse":true,"mitType":"UNSCHEDULED","cardInfo":{"cardIdentifierNo":"4444333322221111","cardHolderFullName":"Bench User","cardExpirationMonth":"12","cardExpirationYear":"35","cvv":"123"},"buyerInfo":{"clientIp":"203.0.113.7","userAgent":"bench"}}}""";
        await PostAsync(http, signer, "orderAndPay", data);
        using var answer = JsonDocument.Parse(await PostAsync(http, signer, "orderQuery", $$"""{"outTradeNo":"bench_bind_{{user}}"}"""));
        return answer.RootElement.GetProperty("data").GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
    }

    private static async Task<byte[]> PostAsync(HttpClient http, RequestSigner signer, string api, string data)
    {
        var (body, sign) = signer.Sign(data, PayerMaxTime.Format(TimeProvider.System.GetUtcNow()));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/aggregate-pay/api/gateway/{api}") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("sign", sign);
        using var response = await http.SendAsync(request);
        return await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync();
    }

    private static string Mit(string outTradeNo, int user, string[] tokens, string? notifyUrl = null) =>
        $$$$"""{"outTradeNo":"{{{{outTradeNo}}}}","subject":"Top-up","totalAmount":"9.99","currency":"USD","country":"US","userId":"bench_user_{{{{user}}}}","integrate":"Direct_Payment","terminalType":"WEB"{{{{(notifyUrl is null ? "" : $",\"notifyUrl\":\"{notifyUrl}\"")}}}},"paymentDetail":{"paymentMethodType":"CARD","merchantInitiated":true,"mitType":"UNSCHEDULED","paymentTokenID":"{{{{tokens[user]}}}}","buyerInfo":{"clientIp":"203.0.113.7","userAgent":"bench"}}}""";

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    private static string? Option(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>Signs request envelopes as the bench merchant.</summary>
    private sealed class RequestSigner(System.Security.Cryptography.RSA key)
    {
        public (byte[] Body, string Sign) Sign(string data, string requestTime)
        {
            var body = Encoding.UTF8.GetBytes($$"""{"version":"1.4","keyVersion":"1","requestTime":"{{requestTime}}","appId":"{{AppId}}","merchantNo":"{{MerchantNo}}","data":{{data}}}""");
            return (body, PayerMaxSignature.Sign(key, body));
        }

        /// <summary>Signs <paramref name="count"/> requests on all cores into a file of "sign TAB body" lines for wrk; returns its path.</summary>
        public string Presign(string directory, string name, int count, Func<int, string> data)
        {
            // A minute ahead, so the whole load stays inside the gateway's 2-minute requestTime window.
            var requestTime = PayerMaxTime.Format(TimeProvider.System.GetUtcNow().AddSeconds(60));
            var lines = new string[count];
            Parallel.For(0, count, i =>
            {
                var (body, sign) = Sign(data(i), requestTime);
                lines[i] = $"{sign}\t{Encoding.UTF8.GetString(body)}";
            });
            var path = Path.Combine(directory, $"{name}.bodies");
            File.WriteAllLines(path, lines);
            return path;
        }
    }
}

/// <summary>A server the bench starts as its own process on a free 127.0.0.1 port, killed at the end.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private ChildProcess(Process process, Uri baseAddress)
    {
        (_process, BaseAddress) = (process, baseAddress);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public static async Task<ChildProcess> StartAsync(string name, string dll, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var child = new ChildProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = child.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return child;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting (a loaded machine) to answer within the timeout: ask again.
            }

            if (child._process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        await child.DisposeAsync();
        throw new InvalidOperationException($"The {name} did not start: {child.Output}");
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public long WorkingSet()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

/// <summary>The machine's CPU counters (<c>/proc/stat</c>): how busy all cores were between two readings.</summary>
internal readonly record struct MachineCpu(long Busy, long Total)
{
    public static MachineCpu Read()
    {
        // cpu user nice system idle iowait irq softirq steal ...: idle and iowait are the cores' free time.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var total = fields.Take(8).Sum();
        return new MachineCpu(total - fields[3] - fields[4], total);
    }

    public double BusySince(MachineCpu earlier) => (double)(Busy - earlier.Busy) / Math.Max(1, Total - earlier.Total);
}
