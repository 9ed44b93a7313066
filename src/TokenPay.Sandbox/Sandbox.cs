using TokenPay.Gateway.Hosting;
using TokenPay.Hosting;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Security;

namespace TokenPay.Sandbox;

/// <summary>The gateway and the demo merchant wired to each other with the sandbox's keys, on 127.0.0.1.</summary>
internal sealed class Sandbox
{
    private readonly string _data;
    private readonly SandboxKeys _keys;
    private readonly int _gatewayPort;
    private readonly int _merchantPort;
    private readonly bool _quiet;
    private readonly string _operatorPasswordHash;

    private Sandbox(string data, SandboxKeys keys, int gatewayPort, int merchantPort, bool quiet)
    {
        (_data, _keys, _gatewayPort, _merchantPort, _quiet) = (data, keys, gatewayPort, merchantPort, quiet);
        _operatorPasswordHash = OperatorLogin.Hash(keys.OperatorPassword!);
    }

    public string DataDirectory => _data;

    public SandboxKeys Keys => _keys;

    public int GatewayPort => _gatewayPort;

    public int MerchantPort => _merchantPort;

    public string GatewayUrl => $"http://127.0.0.1:{_gatewayPort}";

    public string MerchantUrl => $"http://127.0.0.1:{_merchantPort}";

    public static async Task<Sandbox> PrepareAsync(DirectoryInfo data, int gatewayPort, int merchantPort, bool quiet)
    {
        Directory.CreateDirectory(data.FullName);
        var keys = await SandboxKeys.LoadOrCreateAsync(Path.Combine(data.FullName, "sandbox.json"));
        return new Sandbox(data.FullName, keys, gatewayPort, merchantPort, quiet);
    }

    /// <summary>The merchant service's settings, also used by the <c>merchant</c> commands.</summary>
    public void ConfigureMerchant(WebApplicationBuilder builder) =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Merchant:Storage:ConnectionString"] = $"Data Source={Path.Combine(_data, "merchant.db")}",
            ["Merchant:PublicBaseUrl"] = MerchantUrl,
            ["Merchant:NotifyUrl"] = $"{MerchantUrl}/payermax/notify",
            ["PayerMax:Environment"] = "Custom",
            ["PayerMax:BaseUrl"] = GatewayUrl,
            ["PayerMax:AppId"] = _keys.AppId,
            ["PayerMax:MerchantNo"] = _keys.MerchantNo,
            ["PayerMax:MerchantPrivateKey"] = _keys.MerchantPrivateKey,
            ["PayerMax:PlatformPublicKey"] = _keys.PlatformPublicKey,
            ["Merchant:Operator:ApiKey"] = _keys.OperatorApiKey,
            ["Merchant:Operator:PasswordHash"] = _operatorPasswordHash,
            ["Logging:LogLevel:Default"] = "Warning",
            // A failed start (a busy port) is explained in one line below, not by the host's stack trace.
            ["Logging:LogLevel:Microsoft.Extensions.Hosting"] = "None",
        });

    // Which database the merchant of the sandbox last started here uses (a cluster's PostgreSQL), for the merchant commands.
    private string MerchantStorageFile => Path.Combine(_data, "merchant-storage.json");

    /// <summary>Says which merchant database is in use here; the merchant commands use it (null: the sandbox's SQLite file).</summary>
    public void RecordMerchantStorage(string? postgres)
    {
        if (postgres is null)
        {
            File.Delete(MerchantStorageFile);
        }
        else
        {
            File.WriteAllText(MerchantStorageFile, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["Provider"] = "Postgres", ["ConnectionString"] = postgres }));
            // It may hold a --postgres password: readable by its owner only, like the keys.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(MerchantStorageFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    /// <summary>
    /// The settings of the merchant commands: the merchant's (on the database the running sandbox or cluster uses) and the
    /// sandbox's clock, so what they record carries the sandbox's time.
    /// </summary>
    public Action<WebApplicationBuilder> ConfigureMerchantCommands(TimeSpan? clockOffset)
    {
        Dictionary<string, string> storage;
        try
        {
            storage = File.Exists(MerchantStorageFile) ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(MerchantStorageFile)) ?? [] : [];
        }
        catch (System.Text.Json.JsonException)
        {
            throw new SandboxUnreachableException($"{MerchantStorageFile} is not what the cluster writes; start the cluster again, or delete it to use the sandbox's SQLite merchant database.");
        }

        return builder =>
        {
            ConfigureMerchant(builder);
            builder.Configuration.AddInMemoryCollection(storage.Select(s => KeyValuePair.Create($"Merchant:Storage:{s.Key}", (string?)s.Value)));
            if (clockOffset is { } offset)
            {
                builder.Services.AddSingleton<TimeProvider>(new OffsetClock(offset));
            }
        };
    }

    /// <summary>Real time moved by the running sandbox's offset (its clock is moved only through the gateway).</summary>
    private sealed class OffsetClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    private const string LostAnswerRule = "{\"kind\":\"api.lost-answer\"}";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // One movable clock for both services (POST /sandbox/clock on the gateway moves it and runs both sides' due work).
        using var clock = new SandboxClock();
        await using var gateway = await GatewayApp.CreateAsync([], builder =>
        {
            builder.WebHost.UseUrls(GatewayUrl);
            builder.Configuration.AddInMemoryCollection(GatewaySettings(postgres: null));
            // /metrics as a standalone gateway serves it with Gateway:Metrics:Prometheus, so dashboards can be tried here.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Sandbox:Enabled"] = "true", ["Gateway:Metrics:Prometheus"] = "true" });
            builder.Services.AddSingleton<TimeProvider>(clock);
            LogRequests(builder, "gateway");
        }, cancellationToken);
        await using var merchant = await MerchantApp.CreateAsync([], builder =>
        {
            builder.WebHost.UseUrls(MerchantUrl);
            ConfigureMerchant(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Merchant:ReconcileAfter"] = "00:01:00" });
            builder.Services.AddSingleton<TimeProvider>(clock);
            LogRequests(builder, "merchant");
        }, cancellationToken);
        clock.Attach(merchant.Services.GetServices<IScheduledWork>());

        if (!await TryStartAsync(gateway, _gatewayPort, "--gateway-port", cancellationToken))
        {
            return 1;
        }

        if (!await TryStartAsync(merchant, _merchantPort, "--merchant-port", cancellationToken))
        {
            await gateway.StopAsync(CancellationToken.None);
            return 1;
        }

        RecordMerchantStorage(postgres: null);
        using var running = RunningSandbox.Record(this);

        PrintWelcome();
        await Task.WhenAll(gateway.WaitForShutdownAsync(cancellationToken), merchant.WaitForShutdownAsync(cancellationToken));
        return 0;
    }

    // Where everything is and what to try first.
    private void PrintWelcome() =>
        Console.WriteLine($"""

            TokenPay sandbox is running (data in {_data}; stop with Ctrl+C, start again to continue).

              Shop      {MerchantUrl}/                 sign in with any name, buy, saved cards ({MerchantUrl}/shop/wallet)
              Operator  {MerchantUrl}/shop/operator    user operator, password {_keys.OperatorPassword}
              API       {MerchantUrl}/api/...          header X-Operator-Key: {_keys.OperatorApiKey}
              Gateway   {GatewayUrl}/                  PayerMax API under /aggregate-pay/api/gateway/; platform public key at {GatewayUrl}/platform-public-key
              Console   {GatewayUrl}/admin/console/    orders, timelines and notification attempts, the event log, the clock and failure rules
              Docs      {GatewayUrl}/docs              the API reference; metrics (Prometheus) at {GatewayUrl}/metrics

              Sandbox merchant: appId {_keys.AppId}, merchantNo {_keys.MerchantNo}; keys in {Path.Combine(_data, "sandbox.json")}

            Try: open the shop, sign in with any name, tick "Save my card", pay with 4000000000003220 (any future expiry, CVV 123),
            pass the 3-D Secure page, then charge the saved card from the operator page, then remove it:
              curl -s {MerchantUrl}/api/wallet/YOUR_NAME -H 'X-Operator-Key: {_keys.OperatorApiKey}'

              4444333322221111, 4242424242424242, 5555555555554444, 378282246310005   success
              4000000000003220   3-D Secure challenge        4000000000009995   BALANCE_INSUFFICIENT
              4000000000000002   ISSUER_PAYMENT_REJECTED     4000000000000069   CARD_EXPIRE_DATE_INVALID
              4000000000000127   CVV_INVALID                 4000000000000341   saves fine, later MIT declined
              subject FAILED / PENDING / 3DS drive outcomes too (PayerMax sandbox habit)
              card-network rules on saved cards (docs/stored-credentials.md): 4000000000000259 MITs declined with
              "retry after 24 h" (MAC 25; the merchant retries then), 4000000000000036 "do not try again" (MAC 03),
              4000000000001117 renewed by its issuer 7 days after first use (same token, new expiry)
              refunds succeed 5 s later; comments REFUND_FAILED (fails later), REFUND_REJECTED (fails at once), REFUND_PENDING (24 h)
              disputes (docs/disputes.md): 4000000000057010 paid is disputed as fraud 20 days later (clock advance 21.00:00:00),
              or now: trigger dispute.created --order ORDER --reason fraud; answer with merchant disputes reply

            Test bench (docs/sandbox.md), from another terminal: ... clock advance 06:00:00 | faults add '{LostAnswerRule}' |
              listen --forward-to http://127.0.0.1:3000/payermax/notify | logs tail | trigger payment.succeeded   (... = tokenpay, or dotnet run --project src/TokenPay.Sandbox --)
            Merchant commands: dotnet run --project src/TokenPay.Sandbox -- merchant --help
            {(_quiet ? "" : "Each request served is printed below (--quiet to stop).")}

            """);

    /// <summary>The gateway's settings: on the sandbox's SQLite file, or on a PostgreSQL database (the cluster's nodes).</summary>
    public Dictionary<string, string?> GatewaySettings(string? postgres) => new()
    {
        ["Gateway:Storage:Provider"] = postgres is null ? "Sqlite" : "Postgres",
        ["Gateway:Storage:ConnectionString"] = postgres ?? $"Data Source={Path.Combine(_data, "gateway.db")}",
        ["Gateway:PlatformPrivateKey"] = _keys.PlatformPrivateKey,
        ["Gateway:PublicBaseUrl"] = GatewayUrl,
        ["Gateway:Merchants:0:AppId"] = _keys.AppId,
        ["Gateway:Merchants:0:MerchantNo"] = _keys.MerchantNo,
        ["Gateway:Merchants:0:PublicKey"] = _keys.MerchantPublicKey,
        ["Gateway:Merchants:0:NotifyUrl"] = $"{MerchantUrl}/payermax/notify",
        ["Gateway:Merchants:0:RefundNotifyUrl"] = $"{MerchantUrl}/payermax/notify",
        ["Gateway:Merchants:0:TokenizationNotifications"] = "true",
        ["Gateway:Merchants:0:Country"] = "US",
        // The merchant listens on loopback.
        ["Gateway:Notifications:AllowPrivateNetworks"] = "true",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Extensions.Hosting"] = "None",
    };

    private void LogRequests(WebApplicationBuilder builder, string service)
    {
        if (!_quiet)
        {
            builder.Services.AddSingleton<IStartupFilter>(new RequestLog(service));
        }
    }

    // A busy port is a person's problem to solve, not a stack trace.
    public static async Task<bool> TryStartAsync(WebApplication app, int port, string flag, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartOrStopAsync(cancellationToken);
            return true;
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            Console.Error.WriteLine($"Port {port} is in use (another sandbox still running?); stop it or pass {flag} with a free port.");
            return false;
        }
    }
}
