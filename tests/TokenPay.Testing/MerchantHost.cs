using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Security;

namespace TokenPay.Testing;

/// <summary>
/// The merchant service on Kestrel at 127.0.0.1 with a fresh SQLite file, talking to a <see cref="GatewayHost"/>
/// with the vector keys and the gateway's fake clock (so request times agree).
/// </summary>
public sealed class MerchantHost : IAsyncDisposable
{
    private readonly string _directory;

    /// <summary>The operator API key the host is configured with.</summary>
    public const string OperatorKey = "test-operator-key-0123456789";

    /// <summary>The operator password whose hash the host is configured with.</summary>
    public const string OperatorPassword = "test-operator-password";

    // Hashing is deliberately slow (PBKDF2); once per test run is enough.
    private static readonly Lazy<string> OperatorPasswordHash = new(() => OperatorLogin.Hash(OperatorPassword));

    private MerchantHost(WebApplication app, string directory, string baseUrl)
    {
        App = app;
        _directory = directory;
        BaseUrl = baseUrl;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        Api = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Api.DefaultRequestHeaders.Add("X-Operator-Key", OperatorKey);
    }

    public WebApplication App { get; }

    public string BaseUrl { get; }

    /// <summary>No credentials: what an anonymous visitor or attacker sends.</summary>
    public HttpClient Http { get; }

    /// <summary>The operator's API client (sends <see cref="OperatorKey"/>).</summary>
    public HttpClient Api { get; }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <param name="configure">Replaces services, e.g. adds a handler to every HttpClient.</param>
    /// <param name="port">The port to serve on, when the gateway must know the merchant's address before it starts (its configured notify URL); a free one otherwise.</param>
    public static async Task<MerchantHost> StartAsync(GatewayHost gateway, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null, int? port = null)
    {
        var directory = Directory.CreateTempSubdirectory("tokenpay-merchant-").FullName;
        var baseUrl = $"http://127.0.0.1:{port ?? FreePorts.Next()}";
        var config = Settings(gateway, baseUrl, $"Data Source={Path.Combine(directory, "merchant.db")}");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = await MerchantApp.CreateAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.WebHost.UseUrls(baseUrl);
            builder.Services.AddSingleton<TimeProvider>(gateway.Clock);
            builder.Logging.ClearProviders();
            configure?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new MerchantHost(app, directory, baseUrl);
    }

    /// <summary>A test merchant's settings: served at <paramref name="baseUrl"/>, on <paramref name="connectionString"/> (SQLite unless the settings say otherwise), paying through <paramref name="gateway"/>.</summary>
    public static Dictionary<string, string?> Settings(GatewayHost gateway, string baseUrl, string connectionString) => new()
    {
        ["Merchant:Storage:ConnectionString"] = connectionString,
        ["Merchant:PublicBaseUrl"] = baseUrl,
        ["Merchant:NotifyUrl"] = $"{baseUrl}/payermax/notify",
        // Tests drive reconciliation themselves.
        ["Merchant:ReconcileInterval"] = "1.00:00:00",
        ["PayerMax:Environment"] = "Custom",
        ["PayerMax:BaseUrl"] = gateway.BaseAddress.ToString(),
        ["PayerMax:AppId"] = TestKeys.AppId,
        ["PayerMax:MerchantNo"] = TestKeys.MerchantNo,
        ["PayerMax:MerchantPrivateKey"] = TestKeys.MerchantPrivate,
        ["PayerMax:PlatformPublicKey"] = TestKeys.PlatformPublic,
        ["PayerMax:MaxRetries"] = "0",
        ["Merchant:Operator:ApiKey"] = OperatorKey,
        ["Merchant:Operator:PasswordHash"] = OperatorPasswordHash.Value,
    };

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "merchant.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string?> ScalarTextAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "merchant.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        return (string?)await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Api.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

}
