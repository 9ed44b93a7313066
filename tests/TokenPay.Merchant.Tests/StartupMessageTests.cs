using System.Net;
using System.Net.Sockets;

namespace TokenPay.Merchant.Tests;

/// <summary>A merchant service that cannot start says why in a sentence naming what to change, without the host's stack trace.</summary>
public sealed class StartupMessageTests
{
    [Fact]
    public async Task PortAlreadyInUse_SaysSoAndHowToChooseAnother()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await RunMerchantAsync($"http://127.0.0.1:{port}", withPayerMax: true);

        exitCode.ShouldBe(1, output);
        output.ShouldContain($"Failed to bind to address http://127.0.0.1:{port}: address already in use: another process (the sandbox?) listens there. Stop it, or give this merchant service another port with --urls");
        output.ShouldNotContain("Hosting failed to start");
        output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task MissingPayerMaxSettings_OneSentenceNamingThem()
    {
        var (exitCode, output) = await RunMerchantAsync($"http://127.0.0.1:{FreePorts.Next()}", withPayerMax: false);

        exitCode.ShouldBe(1, output);
        output.ShouldContain("PayerMax:AppId is required.");
        output.ShouldNotContain("Hosting failed to start");
        output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task WrongRetrySchedule_OneSentenceNamingIt()
    {
        var descendingSchedule = new Dictionary<string, string?>
        {
            ["Merchant:SmartRetries:Schedule:0"] = "2.00:00:00",
            ["Merchant:SmartRetries:Schedule:1"] = "1.00:00:00",
        };

        var (exitCode, output) = await RunMerchantAsync($"http://127.0.0.1:{FreePorts.Next()}", withPayerMax: true, descendingSchedule);

        exitCode.ShouldBe(1, output);
        output.ShouldContain("Merchant:SmartRetries:Schedule must be positive offsets in ascending order.");
        output.ShouldNotContain("Hosting failed to start");
        output.ShouldNotContain("   at ");
    }

    private static async Task<(int ExitCode, string Output)> RunMerchantAsync(string url, bool withPayerMax, Dictionary<string, string?>? extra = null)
    {
        var directory = Directory.CreateTempSubdirectory("tokenpay-start-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>(extra ?? []) { ["Merchant:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "merchant.db")}" };
            if (withPayerMax)
            {
                settings["PayerMax:Environment"] = "Custom";
                settings["PayerMax:BaseUrl"] = $"http://127.0.0.1:{FreePorts.Next()}";
                settings["PayerMax:AppId"] = TestKeys.AppId;
                settings["PayerMax:MerchantNo"] = TestKeys.MerchantNo;
                settings["PayerMax:MerchantPrivateKey"] = TestKeys.MerchantPrivate;
                settings["PayerMax:PlatformPublicKey"] = TestKeys.PlatformPublic;
            }

            await using var process = ServiceProcess.Start("TokenPay.Merchant", url, settings, directory);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(patience.Token);
            return (process.ExitCode, process.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
