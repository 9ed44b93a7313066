using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TokenPay.Merchant.Tests;

/// <summary>The sandbox as a person starts it (<c>dotnet run --project src/TokenPay.Sandbox</c>): a process on free ports with a fresh data folder.</summary>
public sealed class SandboxRunTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("tokenpay-sandbox-").FullName;
    private readonly int _gatewayPort = FreePorts.Next();
    private Process _process = null!;
    private ProcessOutput _output = null!;

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "TokenPay.Sandbox.dll"), "--data", _data, "--quiet",
            "--gateway-port", _gatewayPort.ToString(CultureInfo.InvariantCulture), "--merchant-port", FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _output = new ProcessOutput(_process);
        await Eventually.UntilAsync(() => Task.FromResult(_output.Text), o => o.Contains("sandbox is running", StringComparison.Ordinal) || _process.HasExited, "the sandbox's banner", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Sandbox_ServesPrometheusMetrics_LikeTheStandaloneGateway()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_gatewayPort}") };
        (await http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK, _output.Text);

        using var metrics = await http.GetAsync("/metrics");

        metrics.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await metrics.Content.ReadAsStringAsync()).ShouldContain("http_server_request_duration_seconds");
        _output.Text.ShouldContain($"http://127.0.0.1:{_gatewayPort}/metrics");
    }
}
