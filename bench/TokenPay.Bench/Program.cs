// `-- external [--quick]` is the headline run: the gateway and a reference endpoint in their own processes, load
// by wrk (bench/TokenPay.Bench/External.cs). Without it, the in-process run below:
// TokenPay gateway benchmark: measures the machine's limits (RSA signs/verifies on all cores, durable SQLite
// commits), then drives a real gateway on 127.0.0.1 over HTTP with pre-signed requests at a fixed
// concurrency, drains a notification backlog, and writes the figures as Markdown.
//   dotnet run -c Release --project bench/TokenPay.Bench -- [--quick] [--concurrency 32] [--out FILE]
//       [--storage sqlite|postgres --postgres "Host=...;Username=..."] [--nodes N]
// With --storage postgres the gateway runs on a fresh database of the --postgres server, and the limits include
// PostgreSQL's durable single-row commits on 1 and 16 connections. --nodes N (PostgreSQL only) runs N gateway
// nodes on that database, in this process (they share its cores), and spreads the load over them round robin.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenPay.Bench;
using TokenPay.Gateway.Hosting;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

// The headline figures: load from outside the gateway's process (External), and the reference endpoint it runs.
if (args is ["external", ..])
{
    return await External.RunAsync(args[1..]);
}

if (args is ["reference", ..])
{
    return await ReferenceEndpoint.RunAsync(args[1..]);
}

if (args is ["sender", ..])
{
    return await SenderReference.RunAsync(args[1..]);
}

var clock = TimeProvider.System;
var quick = args.Contains("--quick");
var concurrency = Option("--concurrency") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 32;
var output = Option("--out") ?? Path.Combine(Directory.GetCurrentDirectory(), "bench-results.md");
var limitTime = TimeSpan.FromSeconds(quick ? 3 : 10);
var loadTime = TimeSpan.FromSeconds(quick ? 8 : 60);
var backlog = quick ? 5_000 : 20_000;
var storage = Option("--storage") ?? (Option("--postgres") is null ? "sqlite" : "postgres");
var nodeCount = Option("--nodes") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 1;
if (storage is not ("sqlite" or "postgres") || (storage == "postgres" && Option("--postgres") is null) || nodeCount < 1 || (nodeCount > 1 && storage != "postgres"))
{
    Console.Error.WriteLine("--storage is sqlite or postgres; postgres needs --postgres CONNECTION (e.g. the cluster's server: dotnet run --project src/TokenPay.Sandbox -- cluster prints its port); --nodes N > 1 needs postgres.");
    return 2;
}

var postgres = storage == "postgres" ? await BenchDatabase.CreatePostgresAsync(Option("--postgres")!) : null;
var total = Stopwatch.StartNew();
var directory = Directory.CreateTempSubdirectory("tokenpay-bench-").FullName;
var vectors = Path.Combine(AppContext.BaseDirectory, "Vectors");
string Vector(string name) => File.ReadAllText(Path.Combine(vectors, name)).Trim();
using var merchantKey = RsaKeys.ImportPrivateKey(Vector("merchant-private.pkcs8.b64"));
using var platformKey = RsaKeys.ImportPrivateKey(Vector("platform-private.pkcs8.b64"));

Console.WriteLine($"TokenPay bench ({(quick ? "quick" : "full")}), {Environment.ProcessorCount} cores, concurrency {concurrency}, {storage}, {nodeCount} node(s)");

// 1. The limits, in this process, now.
var signs = Limits.SignsPerSecond(platformKey, limitTime);
var verifies = Limits.VerifiesPerSecond(platformKey, limitTime);
var commits = postgres is null ? Limits.SqliteCommitsPerSecond(Path.Combine(directory, "commits.db"), limitTime) : Limits.PostgresCommitsPerSecond(postgres, 16, limitTime);
var singleCommits = postgres is null ? commits : Limits.PostgresCommitsPerSecond(postgres, 1, limitTime);
var engine = postgres is null ? "SQLite single-row durable commits (WAL, synchronous FULL)" : "PostgreSQL single-row durable commits, 16 connections (1 connection: " + singleCommits.ToString("N0", CultureInfo.InvariantCulture) + ")";
Console.WriteLine($"limits: {signs:N0} signs/s, {verifies:N0} verifies/s, {commits:N0} commits/s ({(postgres is null ? "SQLite" : $"PostgreSQL; {singleCommits:N0}/s on one connection")})");

// 2. A gateway on a fresh SQLite file; its dispatcher off, so notifications pile up for step 4.
var database = Path.Combine(directory, "gateway.db");
await using var receiver = await Receiver.StartAsync();
// The first node migrates the database; the others then open it.
var gateways = new List<WebApplication> { await StartGatewayAsync(database, dispatch: false) };
for (var i = 1; i < nodeCount; i++)
{
    gateways.Add(await StartGatewayAsync(database, dispatch: false));
}

var nodes = gateways.Select(g => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
{
    BaseAddress = new Uri(g.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
}).ToList();
var http = nodes[0];

const int Users = 64;
var tokens = new string[Users];
for (var u = 0; u < Users; u++)
{
    tokens[u] = await BindAsync(u);
}

// Pre-sign the MIT requests; requestTime sits ahead of now so the whole run stays inside the 2-minute window.
var mitCount = (int)Math.Min(signs * 0.9 * loadTime.TotalSeconds, 400_000);
var signedAt = PayerMaxTime.Format(clock.GetUtcNow().AddSeconds(90));
var mitRequests = Presign(mitCount, i => Mit($"bench_mit_{i}", i % Users, notify: false), signedAt);
var mit = await LoadRun.RunAsync("MIT orderAndPay (stored token)", nodes, "/aggregate-pay/api/gateway/orderAndPay", mitRequests, reuse: false, concurrency, loadTime, LoadRun.Paid);
var afterMit = Process.GetCurrentProcess().WorkingSet64;
if (postgres is null)
{
    var walAfterMit = new FileInfo(database + "-wal") is { Exists: true } wal ? wal.Length : 0;
    Console.WriteLine($"database {new FileInfo(database).Length / 1048576.0:N0} MiB, WAL {walAfterMit / 1048576.0:N0} MiB after MIT");
}
// The pre-signed MIT bodies are the benchmark's memory, not the gateway's: let them go before the next load.
mitRequests = [];
GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
Console.WriteLine($"MIT: {mit.PerSecond:N0}/s p99 {mit.P99Ms:N1} ms errors {mit.Errors} {mit.FirstError}");

var queryRequests = Presign(Math.Min(2_000, mit.Requests), i => Query($"bench_mit_{i}"), PayerMaxTime.Format(clock.GetUtcNow().AddSeconds(60)));
var query = await LoadRun.RunAsync("orderQuery", nodes, "/aggregate-pay/api/gateway/orderQuery", queryRequests, reuse: true, concurrency, loadTime, LoadRun.Accepted);
var afterQuery = Process.GetCurrentProcess().WorkingSet64;
Console.WriteLine($"orderQuery: {query.PerSecond:N0}/s p99 {query.P99Ms:N1} ms errors {query.Errors}");

// 4. A backlog of notifications, then a gateway with its dispatcher on drains it to a local receiver.
var backlogRequests = Presign(backlog, i => Mit($"bench_notify_{i}", i % Users, notify: true), PayerMaxTime.Format(clock.GetUtcNow().AddSeconds(60)));
var backlogRun = await LoadRun.RunAsync("backlog", nodes, "/aggregate-pay/api/gateway/orderAndPay", backlogRequests, reuse: false, concurrency, TimeSpan.FromMinutes(5), _ => true);
foreach (var gateway in gateways)
{
    await gateway.StopAsync();
    await gateway.DisposeAsync();
}

// As many dispatching nodes as serving ones drain the backlog together.
var drainers = new List<WebApplication>();
for (var i = 0; i < nodeCount; i++)
{
    drainers.Add(await CreateGatewayAsync(database, dispatch: true));
}

// The clock starts when the dispatchers do, not while the hosts are built.
var drainWatch = Stopwatch.StartNew();
await Task.WhenAll(drainers.Select(d => d.StartAsync()));
var pending = await WaitForDeliveredAsync(database, backlogRun.Requests, TimeSpan.FromMinutes(5));
var drainElapsed = drainWatch.Elapsed;
foreach (var drainer in drainers)
{
    await drainer.StopAsync();
    await drainer.DisposeAsync();
}
var drainRate = (backlogRun.Requests - pending) / drainElapsed.TotalSeconds;
Console.WriteLine($"drain: {drainRate:N0} notifications/s ({pending} undelivered, {receiver.Count} received)");

var peak = Process.GetCurrentProcess().PeakWorkingSet64;
var report = Report();
Console.WriteLine();
Console.WriteLine(report);
await File.WriteAllTextAsync(output, report);
Console.WriteLine($"written to {output}");
SqliteConnection.ClearAllPools();
Directory.Delete(directory, recursive: true);
return mit.Errors + query.Errors + pending == 0 ? 0 : 1;

string Report()
{
    // MIT: one signature (the response; notifications are measured apart) and three writes: the order, the
    // acquirer's durable decision, the outcome. On SQLite group commit shares commits, so this bound is loose there.
    var mitLimit = Math.Min(signs, commits / 3);
    var text = new StringBuilder();
    text.AppendLine(CultureInfo.InvariantCulture, $"Run {clock.GetUtcNow():yyyy-MM-dd HH:mm} UTC, {(quick ? "quick" : "full")} mode, {Environment.ProcessorCount} cores, {concurrency} concurrent clients, {loadTime.TotalSeconds:0} s per load, {storage}, {nodeCount} gateway node(s) in the bench process, .NET {Environment.Version}.");
    text.AppendLine();
    text.AppendLine("| limit (measured in the same run) | per second |");
    text.AppendLine("|---|---:|");
    text.AppendLine(CultureInfo.InvariantCulture, $"| RSA-2048 SHA256 signs, all cores | {signs:N0} |");
    text.AppendLine(CultureInfo.InvariantCulture, $"| RSA-2048 SHA256 verifies, all cores | {verifies:N0} |");
    text.AppendLine(CultureInfo.InvariantCulture, $"| {engine} | {commits:N0} |");
    text.AppendLine();
    text.AppendLine("| workload | requests/s | p50 ms | p95 ms | p99 ms | errors | limit/s | achieved / limit |");
    text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
    text.AppendLine(Row(mit, mitLimit));
    text.AppendLine(Row(query, signs));
    text.AppendLine(CultureInfo.InvariantCulture, $"| notification drain ({backlogRun.Requests:N0} backlog) | {drainRate:N0} | | | | {pending} | {signs:N0} | {drainRate / signs:P0} |");
    text.AppendLine();
    text.AppendLine(CultureInfo.InvariantCulture, $"Limits: MIT = min(signs/1, commits/3) = {mitLimit:N0}/s; orderQuery = signs/1; drain = signs/1.");
    text.AppendLine(CultureInfo.InvariantCulture, $"Working set: {afterMit / 1048576.0:N0} MiB after MIT, {afterQuery / 1048576.0:N0} MiB after orderQuery, peak {peak / 1048576.0:N0} MiB. Total run {total.Elapsed.TotalSeconds:N0} s.");
    if ((mit.FirstError ?? query.FirstError) is { } error)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"First error: `{error[..Math.Min(200, error.Length)]}`");
    }

    return text.ToString();
}

static string Row(LoadResult r, double limit) =>
    string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | {r.PerSecond:N0} | {r.P50Ms:N1} | {r.P95Ms:N1} | {r.P99Ms:N1} | {r.Errors} | {limit:N0} | {r.PerSecond / limit:P0} |");

async Task<WebApplication> StartGatewayAsync(string file, bool dispatch)
{
    var app = await CreateGatewayAsync(file, dispatch);
    await app.StartAsync();
    return app;
}

Task<WebApplication> CreateGatewayAsync(string file, bool dispatch) =>
    GatewayApp.CreateAsync([], builder =>
    {
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Storage:Provider"] = postgres is null ? "Sqlite" : "Postgres",
            ["Gateway:Storage:ConnectionString"] = postgres ?? $"Data Source={file}",
            ["Gateway:PlatformPrivateKey"] = Vector("platform-private.pkcs8.b64"),
            ["Gateway:Merchants:0:AppId"] = "benchapp",
            ["Gateway:Merchants:0:MerchantNo"] = "BENCH0001",
            ["Gateway:Merchants:0:PublicKey"] = Vector("merchant-public.spki.b64"),
            ["Gateway:Notifications:Enabled"] = dispatch ? "true" : "false",
            ["Gateway:Notifications:AllowPrivateNetworks"] = "true",
            ["Gateway:Notifications:BatchSize"] = "256",
            ["Gateway:Notifications:MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
        });
    });

async Task<string> BindAsync(int user)
{
    var data = """{"outTradeNo":"bench_bind_@USER@","subject":"bind","totalAmount":"0","currency":"USD","country":"US","userId":"bench_user_@USER@","integrate":"Direct_Payment","terminalType":"WEB","paymentDetail":{"paymentMethodType":"CARD","tokenForFutureUse":true,"mitType":"UNSCHEDULED","cardInfo":{"cardIdentifierNo":"4444333322221111","cardHolderFullName":"Bench User","cardExpirationMonth":"12","cardExpirationYear":"30","cvv":"123"},"buyerInfo":{"clientIp":"203.0.113.7","userAgent":"bench"}}}""".Replace("@USER@", user.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    var (body, sign) = Sign(data, PayerMaxTime.Format(clock.GetUtcNow()));
    using var request = new HttpRequestMessage(HttpMethod.Post, "/aggregate-pay/api/gateway/orderAndPay") { Content = new ByteArrayContent(body) };
    request.Headers.TryAddWithoutValidation("sign", sign);
    (await http.SendAsync(request)).EnsureSuccessStatusCode();
    var (queryBody, querySign) = Sign(Query($"bench_bind_{user}"), PayerMaxTime.Format(clock.GetUtcNow()));
    using var lookup = new HttpRequestMessage(HttpMethod.Post, "/aggregate-pay/api/gateway/orderQuery") { Content = new ByteArrayContent(queryBody) };
    lookup.Headers.TryAddWithoutValidation("sign", querySign);
    using var answer = await http.SendAsync(lookup);
    using var json = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsByteArrayAsync());
    return json.RootElement.GetProperty("data").GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
}

string Mit(string outTradeNo, int user, bool notify) =>
    """{"outTradeNo":"@NO@","subject":"Top-up","totalAmount":"9.99","currency":"USD","country":"US","userId":"bench_user_@USER@","integrate":"Direct_Payment","terminalType":"WEB"@NOTIFY@,"paymentDetail":{"paymentMethodType":"CARD","merchantInitiated":true,"mitType":"UNSCHEDULED","paymentTokenID":"@TOKEN@","buyerInfo":{"clientIp":"203.0.113.7","userAgent":"bench"}}}"""
        .Replace("@NO@", outTradeNo, StringComparison.Ordinal).Replace("@USER@", user.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("@TOKEN@", tokens[user], StringComparison.Ordinal).Replace("@NOTIFY@", notify ? $",\"notifyUrl\":\"{receiver.Url}\"" : "", StringComparison.Ordinal);

static string Query(string outTradeNo) => $$"""{"outTradeNo":"{{outTradeNo}}"}""";

(byte[] Body, string Sign) Sign(string data, string requestTime)
{
    var body = Encoding.UTF8.GetBytes($$"""{"version":"1.4","keyVersion":"1","requestTime":"{{requestTime}}","appId":"benchapp","merchantNo":"BENCH0001","data":{{data}}}""");
    return (body, PayerMaxSignature.Sign(merchantKey, body));
}

List<(byte[] Body, string Sign)> Presign(int count, Func<int, string> data, string requestTime)
{
    var signed = new (byte[], string)[count];
    Parallel.For(0, count, i => signed[i] = Sign(data(i), requestTime));
    return [.. signed];
}

async Task<long> WaitForDeliveredAsync(string file, int expected, TimeSpan limit)
{
    var watch = Stopwatch.StartNew();
    await using System.Data.Common.DbConnection connection = postgres is null ? new SqliteConnection($"Data Source={file};Pooling=False;Mode=ReadOnly") : new Npgsql.NpgsqlConnection(postgres);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT COUNT(*) FROM notifications WHERE status <> 'Delivered'";
    while (true)
    {
        var pending = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        if (pending == 0 || watch.Elapsed > limit)
        {
            return pending;
        }

        await Task.Delay(25);
    }
}

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

/// <summary>A merchant's notify endpoint that acknowledges everything.</summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private System.Collections.Concurrent.ConcurrentDictionary<string, long> _arrivals = new();
    private int _count;
    private volatile string? _tracked;

    private Receiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public int Count => _count;

    /// <summary>The Stopwatch timestamp of the latest notification received (0 before any).</summary>
    public long LastAt { get; private set; }

    /// <summary>From now on, the arrival (a Stopwatch timestamp) of each notification whose outTradeNo starts with <paramref name="prefix"/> (instead of the previous prefix's).</summary>
    public IReadOnlyDictionary<string, long> Track(string prefix)
    {
        var arrivals = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        _arrivals = arrivals;
        _tracked = prefix; // volatile: a handler that sees the new prefix sees its dictionary
        return arrivals;
    }

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app);
        var ack = """{"code":"SUCCESS","msg":"Success"}"""u8.ToArray();
        app.MapPost("/notify", async (HttpContext http) =>
        {
            var prefix = receiver._tracked;
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(prefix is null ? Stream.Null : body);
            var now = Stopwatch.GetTimestamp();
            if (prefix is not null && OutTradeNo(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } outTradeNo && outTradeNo.StartsWith(prefix, StringComparison.Ordinal))
            {
                receiver._arrivals.TryAdd(outTradeNo, now);
            }

            Interlocked.Increment(ref receiver._count);
            receiver.LastAt = now;
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(ack);
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/notify";
        return receiver;
    }

    private static string? OutTradeNo(ReadOnlySpan<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.ValueTextEquals("outTradeNo"u8) && reader.Read())
            {
                return reader.GetString();
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
