using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TokenPay.Gateway.Hosting;
using TokenPay.Protocol.Signing;

namespace TokenPay.Testing;

/// <summary>
/// A real gateway on Kestrel at 127.0.0.1 (random port) with a fresh SQLite file, the vector platform
/// key, two registered merchants and a fake clock. Disposing stops it and deletes its files.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>A fixed instant, so card expiry and token expiry are deterministic.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 22, 7, 56, 20, 657, TimeSpan.Zero);

    private readonly string _directory;

    /// <summary>The engine the hosts of this test run use: <c>TOKENPAY_TEST_STORAGE=postgres</c> runs them on the run's PostgreSQL.</summary>
    /// Without PostgreSQL binaries (outside CI) that run falls back to SQLite; under CI=true a missing server fails.
    public static bool OnPostgres { get; } = string.Equals(Environment.GetEnvironmentVariable("TOKENPAY_TEST_STORAGE"), "postgres", StringComparison.OrdinalIgnoreCase)
        && (PostgresServer.BinDirectory is not null || PostgresServer.InCi);

    private GatewayHost(WebApplication app, string directory, string connectionString, FakeTimeProvider clock, CapturedLogs logs)
    {
        ConnectionString = connectionString;
        App = app;
        _directory = directory;
        Clock = clock;
        Logs = logs;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        PlatformPublicKey = RsaKeys.ImportPublicKey(TestKeys.PlatformPublic);
        Merchant = new MerchantClient(Http, TestKeys.AppId, TestKeys.MerchantNo, RsaKeys.ImportPrivateKey(TestKeys.MerchantPrivate), PlatformPublicKey, clock);
        OtherMerchant = new MerchantClient(Http, TestKeys.OtherAppId, TestKeys.OtherMerchantNo, TestKeys.OtherMerchant, PlatformPublicKey, clock);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Clock { get; }

    public CapturedLogs Logs { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public RSA PlatformPublicKey { get; }

    public MerchantClient Merchant { get; }

    public MerchantClient OtherMerchant { get; }

    public string DatabasePath => Path.Combine(_directory, "gateway.db");

    /// <summary>The gateway database's connection string (SQLite file or PostgreSQL database).</summary>
    public string ConnectionString { get; }

    /// <param name="settings">Configuration overrides.</param>
    /// <param name="clock">A clock to share with another host; a new one at <see cref="Epoch"/> otherwise.</param>
    /// <param name="shareDatabaseWith">Another host whose database this one opens (a second process, or a restart).</param>
    /// <param name="services">Replaces services at the edges, e.g. wraps the acquirer.</param>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?>? settings = null, FakeTimeProvider? clock = null, GatewayHost? shareDatabaseWith = null, Action<IServiceCollection>? services = null)
    {
        var directory = shareDatabaseWith?._directory ?? Directory.CreateTempSubdirectory("tokenpay-gw-").FullName;
        var connectionString = shareDatabaseWith?.ConnectionString
            ?? (OnPostgres ? await (await PostgresServer.GetAsync()).CreateDatabaseAsync("gateway") : $"Data Source={Path.Combine(directory, "gateway.db")}");
        clock ??= new FakeTimeProvider(Epoch);
        var logs = new CapturedLogs();
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Storage:Provider"] = OnPostgres ? "Postgres" : "Sqlite",
            ["Gateway:Storage:ConnectionString"] = connectionString,
            ["Gateway:PlatformPrivateKey"] = TestKeys.PlatformPrivate,
            ["Gateway:Merchants:0:AppId"] = TestKeys.AppId,
            ["Gateway:Merchants:0:MerchantNo"] = TestKeys.MerchantNo,
            ["Gateway:Merchants:0:PublicKey"] = TestKeys.MerchantPublic,
            ["Gateway:Merchants:1:AppId"] = TestKeys.OtherAppId,
            ["Gateway:Merchants:1:MerchantNo"] = TestKeys.OtherMerchantNo,
            ["Gateway:Merchants:1:PublicKey"] = TestKeys.OtherMerchantPublic,
            // Receivers in tests listen on loopback.
            ["Gateway:Notifications:AllowPrivateNetworks"] = "true",
            // Fake clocks jump hours at a time; a short poll would tick through every second of the jump.
            ["Gateway:Notifications:PollInterval"] = "01:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = await GatewayApp.CreateAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new GatewayHost(app, directory, connectionString, clock, logs);
    }

    /// <summary>Runs a query against the gateway's database file (a separate connection, as an operator would).</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<System.Data.Common.DbConnection> OpenDatabaseAsync()
    {
        System.Data.Common.DbConnection connection = OnPostgres ? new Npgsql.NpgsqlConnection(ConnectionString) : new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Stops the gateway but keeps its database, as a process that exits would.</summary>
    public async Task StopAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>The captured Warning and Error log lines, to explain a wait that timed out.</summary>
    public string Problems => string.Join('\n', Logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)));

    /// <summary>The first column of every row of a query, as numbers.</summary>
    public Task<IReadOnlyList<long>> ColumnAsync(string sql) => FirstColumnAsync(sql, r => r.GetInt64(0));

    /// <summary>The first column of every row of a query, as text.</summary>
    public Task<IReadOnlyList<string>> TextColumnAsync(string sql) => FirstColumnAsync(sql, r => r.GetString(0));

    private async Task<IReadOnlyList<T>> FirstColumnAsync<T>(string sql, Func<System.Data.Common.DbDataReader, T> read)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(read(reader));
        }

        return values;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
        }
    }
}
