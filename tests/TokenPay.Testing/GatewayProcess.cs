using System.Diagnostics;
using TokenPay.Protocol.Signing;

namespace TokenPay.Testing;

/// <summary>
/// The gateway as its own operating-system process (<c>dotnet TokenPay.Gateway.dll</c> from this test's
/// output), on a free port of 127.0.0.1, with the test merchants and the real clock: what a node of a cluster
/// is, so a test can kill it with SIGKILL. Its console output is kept to explain a failure.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;
    private readonly string _directory;

    private GatewayProcess(ServiceProcess process, Uri baseAddress, string directory)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Merchant = new MerchantClient(Http, TestKeys.AppId, TestKeys.MerchantNo, RsaKeys.ImportPrivateKey(TestKeys.MerchantPrivate), RsaKeys.ImportPublicKey(TestKeys.PlatformPublic), TimeProvider.System);
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public MerchantClient Merchant { get; }

    /// <summary>What the process printed so far.</summary>
    public string Output => _process.Output;

    /// <summary>Starts a node on PostgreSQL database <paramref name="connectionString"/> and waits until it answers.</summary>
    public static async Task<GatewayProcess> StartAsync(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var port = FreePorts.Next();
        var directory = Directory.CreateTempSubdirectory("tokenpay-node-").FullName;
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Storage:Provider"] = "Postgres",
            ["Gateway:Storage:ConnectionString"] = connectionString,
            ["Gateway:PlatformPrivateKey"] = TestKeys.PlatformPrivate,
            ["Gateway:Merchants:0:AppId"] = TestKeys.AppId,
            ["Gateway:Merchants:0:MerchantNo"] = TestKeys.MerchantNo,
            ["Gateway:Merchants:0:PublicKey"] = TestKeys.MerchantPublic,
            ["Gateway:Notifications:AllowPrivateNetworks"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var url = $"http://127.0.0.1:{port}";
        var node = new GatewayProcess(ServiceProcess.Start("TokenPay.Gateway", url, config, directory), new Uri(url), directory);
        try
        {
            await node.WaitUntilServingAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process with SIGKILL: no shutdown, no flush, leases left as they are.</summary>
    public Task KillAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task WaitUntilServingAsync()
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The gateway process exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var health = await Http.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The gateway process did not answer within 60 s:\n{Output}");
    }
}
