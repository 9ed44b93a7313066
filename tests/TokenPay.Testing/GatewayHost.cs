using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

    private GatewayHost(WebApplication app, string directory, FakeTimeProvider clock, CapturedLogs logs)
    {
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

    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("tokenpay-gw-").FullName;
        var clock = new FakeTimeProvider(Epoch);
        var logs = new CapturedLogs();
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "gateway.db")}",
            ["Gateway:PlatformPrivateKey"] = TestKeys.PlatformPrivate,
            ["Gateway:Merchants:0:AppId"] = TestKeys.AppId,
            ["Gateway:Merchants:0:MerchantNo"] = TestKeys.MerchantNo,
            ["Gateway:Merchants:0:PublicKey"] = TestKeys.MerchantPublic,
            ["Gateway:Merchants:1:AppId"] = TestKeys.OtherAppId,
            ["Gateway:Merchants:1:MerchantNo"] = TestKeys.OtherMerchantNo,
            ["Gateway:Merchants:1:PublicKey"] = TestKeys.OtherMerchantPublic,
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
        });
        await app.StartAsync();
        return new GatewayHost(app, directory, clock, logs);
    }

    /// <summary>Runs a query against the gateway's database file (a separate connection, as an operator would).</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
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
