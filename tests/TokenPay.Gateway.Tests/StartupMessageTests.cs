using System.Net;
using System.Net.Sockets;

namespace TokenPay.Gateway.Tests;

/// <summary>A gateway that cannot start says why in a sentence naming what to change.</summary>
public sealed class StartupMessageTests
{
    [Fact]
    public async Task IncompleteMerchantSettings_OneSentenceNamingTheSetting()
    {
        var (exitCode, output) = await RunGatewayAsync($"http://127.0.0.1:{FreePorts.Next()}", new() { ["Gateway:Merchants:0:AppId"] = "demoapp0001" });

        exitCode.ShouldBe(1);
        output.ShouldContain("Gateway:Merchants:0 needs AppId, MerchantNo and PublicKey.");
        output.ShouldNotContain("   at ", customMessage: output);
    }

    [Fact]
    public async Task PortAlreadyInUse_SaysSoAndHowToChooseAnother_NeverReady()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await RunGatewayAsync($"http://127.0.0.1:{port}", []);

        exitCode.ShouldBe(1);
        output.ShouldContain($"Failed to bind to address http://127.0.0.1:{port}: address already in use: another process (the sandbox?) listens there.");
        output.ShouldNotContain("gateway ready");
        output.ShouldNotContain("Hosting failed to start");
        output.ShouldNotContain("   at ", customMessage: output);
    }

    private static async Task<(int ExitCode, string Output)> RunGatewayAsync(string url, Dictionary<string, string> environment)
    {
        var directory = Directory.CreateTempSubdirectory("tokenpay-start-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>(environment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
            {
                ["Gateway:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "gateway.db")}",
            };
            await using var process = ServiceProcess.Start("TokenPay.Gateway", url, settings, directory);
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
