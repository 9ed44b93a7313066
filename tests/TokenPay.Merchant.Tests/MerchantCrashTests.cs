using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using TokenPay.Merchant.Payments;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// The merchant service as its own process, killed with SIGKILL at random moments while clients charge with
/// fresh and repeated charge ids (double submits among them) and send every id again after each restart. Afterwards every charge id is
/// charged at most once at the gateway, the merchant and the gateway agree on every one, and none is open.
/// </summary>
public sealed class MerchantCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Kills = 5;
    private const int Clients = 6;

    [Theory]
    [OnSqlite]
    [OnPostgres]
    public async Task KilledWhileCharging_EveryChargeIdChargedAtMostOnce_MerchantAndGatewayAgree(Engine engine)
    {
        // The merchant process keeps real time; the gateway's clock stands still with a wide request-time window.
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:RequestTimeWindow"] = "02:00:00" }, clock: new FakeTimeProvider(TimeProvider.System.GetUtcNow()));
        var users = new[] { "crash_a", "crash_b", "crash_c" };
        var tokens = new Dictionary<string, string>();
        foreach (var user in users)
        {
            tokens[user] = await Shared.SaveCardAsync(gateway, user);
        }

        var storage = engine == Engine.Postgres
            ? ("Postgres", await (await PostgresServer.GetAsync()).CreateDatabaseAsync("merchant"))
            : ("Sqlite", $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("tokenpay-crash-").FullName, "merchant.db")}");
        var random = new Random(23);
        var used = new List<string>();
        var serverErrors = new List<string>();
        var next = 0;
        var sent = 0;

        for (var kill = 0; kill <= Kills; kill++)
        {
            await using var merchant = await MerchantProcess.StartAsync(gateway, storage);

            // Every id asked so far is asked again first, then clients mix fresh ids with repeats of each other's.
            await Task.WhenAll(used.Select(id => SendAsync(merchant, id, serverErrors)));
            if (kill == Kills)
            {
                break;
            }

            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    string id;
                    lock (used)
                    {
                        id = used.Count > 0 && random.Next(3) == 0 ? used[random.Next(used.Count)] : $"crash-{next++}";
                        if (!used.Contains(id))
                        {
                            used.Add(id);
                        }
                    }

                    // Half the time a double submit: the same id twice at once, as a client that retries without waiting.
                    await (Random.Shared.Next(2) == 0 ? Task.WhenAll(SendAsync(merchant, id, serverErrors), SendAsync(merchant, id, serverErrors)) : SendAsync(merchant, id, serverErrors));
                }
            })).ToList();

            await Task.Delay(random.Next(300, 1500));
            await merchant.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        var disagreements = new List<string>();
        await using (var merchant = await MerchantProcess.StartAsync(gateway, storage))
        {
            foreach (var id in used)
            {
                var outTradeNo = PaymentOrders.ForCharge(id);
                var atGateway = await gateway.ColumnAsync($"SELECT COUNT(*) FROM orders WHERE out_trade_no = '{outTradeNo}' AND status = '{OrderStatuses.Success}'");
                var query = await gateway.Merchant.QueryAsync(outTradeNo);
                var gatewayStatus = query.Code == ResultCodes.ApplySuccess ? query.DataString("status") : query.Code;
                var merchantStatus = (await merchant.GetJsonAsync($"/api/charges/{Uri.EscapeDataString(id)}")).GetProperty("status").GetString();
                if (atGateway.Single() > 1 || merchantStatus != gatewayStatus || merchantStatus != OrderStatuses.Success)
                {
                    disagreements.Add($"{id}: merchant {merchantStatus}, gateway {gatewayStatus}");
                }
            }
        }

        output.WriteLine($"{engine}: {used.Count} charge ids, {sent} charge requests, {Kills} SIGKILLs; {serverErrors.Count} 5xx, {disagreements.Count} disagreements");
        used.Count.ShouldBeGreaterThan(Kills * Clients);
        serverErrors.ShouldBeEmpty();
        disagreements.ShouldBeEmpty();
        (await gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1")).ShouldBe(used.Count);


        async Task SendAsync(MerchantProcess merchant, string id, List<string> errors)
        {
            Interlocked.Increment(ref sent);
            var user = users[Math.Abs(id.GetHashCode(StringComparison.Ordinal)) % users.Length];
            try
            {
                using var answer = await merchant.Api.PostAsJsonAsync("/api/charges", new { userId = user, amount = 2.50m, currency = "USD", reason = "Crash test", chargeId = id, paymentTokenId = tokens[user] });
                if ((int)answer.StatusCode >= 500)
                {
                    var body = await answer.Content.ReadAsStringAsync();
                    lock (errors)
                    {
                        errors.Add($"{id}: {(int)answer.StatusCode} {body}");
                    }
                }
            }
            catch (HttpRequestException)
            {
                // The process was killed under this request: its outcome is the merchant's to settle.
            }
        }
    }
}

/// <summary>The merchant service as its own process, so a test can kill it with SIGKILL.</summary>
internal sealed class MerchantProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private MerchantProcess(ServiceProcess process, string baseUrl)
    {
        _process = process;
        Api = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Add("X-Operator-Key", MerchantHost.OperatorKey);
    }

    public HttpClient Api { get; }

    public static async Task<MerchantProcess> StartAsync(GatewayHost gateway, (string Provider, string ConnectionString) storage)
    {
        var baseUrl = $"http://127.0.0.1:{FreePorts.Next()}";
        var settings = MerchantHost.Settings(gateway, baseUrl, storage.ConnectionString);
        settings["Merchant:Storage:Provider"] = storage.Provider;
        settings["Logging:LogLevel:Default"] = "Warning";
        var merchant = new MerchantProcess(ServiceProcess.Start("TokenPay.Merchant", baseUrl, settings), baseUrl);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = await merchant.Api.GetAsync(new Uri("/api/charges/probe", UriKind.Relative));
                return merchant;
            }
            catch (HttpRequestException) when (!merchant._process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException)
            {
                await merchant.DisposeAsync();
                throw new InvalidOperationException($"The merchant process did not start:\n{merchant._process.Output}");
            }
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path) => JsonDocument.Parse(await Api.GetStringAsync(new Uri(path, UriKind.Relative))).RootElement;

    public Task KillAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Api.Dispose();
    }
}
