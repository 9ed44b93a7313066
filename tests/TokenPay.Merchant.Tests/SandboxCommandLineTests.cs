using System.Diagnostics;
using System.Text.Json;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// The sandbox's commands (docs/sandbox.md) run as a person runs them: a process of TokenPay.Sandbox.dll against a
/// sandbox-mode gateway on 127.0.0.1, with the sandbox's key file holding the test merchant's keys.
/// </summary>
public sealed class SandboxCommandLineTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private NotificationReceiver _merchant = null!;
    private string _data = null!;

    public async Task InitializeAsync()
    {
        _merchant = await NotificationReceiver.StartAsync();
        // Near the wall clock: trigger signs its requests with it.
        _gateway = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { ["Gateway:Sandbox:Enabled"] = "true", ["Gateway:Merchants:0:NotifyUrl"] = _merchant.Url },
            clock: new FakeTimeProvider(TimeProvider.System.GetUtcNow()));
        _data = Directory.CreateTempSubdirectory("tokenpay-cli-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_data, "sandbox.json"), JsonSerializer.Serialize(new
        {
            TestKeys.AppId, TestKeys.MerchantNo,
            MerchantPrivateKey = TestKeys.MerchantPrivate, MerchantPublicKey = TestKeys.MerchantPublic,
            PlatformPrivateKey = TestKeys.PlatformPrivate, PlatformPublicKey = TestKeys.PlatformPublic,
            OperatorApiKey = "unused-here", OperatorPassword = "unused-here",
        }));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _merchant.DisposeAsync();
    }

    [Fact]
    public async Task Clock_ShowsAndMoves_AndRefusesABadDurationWithExitCode1()
    {
        var moved = await RunAsync("clock", "advance", "01:30:00");
        var shown = await RunAsync("clock");
        var bad = await RunAsync("clock", "advance", "soon");

        moved.Exit.ShouldBe(0, moved.Output);
        shown.Output.ShouldContain("\"offset\": \"01:30:00\"");
        bad.Exit.ShouldBe(1);
        bad.Output.ShouldContain("advance must be a positive duration");
    }

    [Fact]
    public async Task Faults_AddListRemove_AndALostAnswerIsRecoveredByTrigger()
    {
        var added = await RunAsync("faults", "add", """{"kind":"api.lost-answer","outTradeNo":"trg_pay_*"}""");
        var id = JsonDocument.Parse(added.Output).RootElement.GetProperty("id").GetString()!;
        (await RunAsync("faults", "list")).Output.ShouldContain(id);

        var triggered = await RunAsync("trigger", "payment.succeeded");

        triggered.Exit.ShouldBe(0, triggered.Output);
        triggered.Output.ShouldContain("the answer was lost");
        triggered.Output.ShouldContain("orderQuery by outTradeNo says APPLY_SUCCESS SUCCESS");
        (await RunAsync("faults", "add", "not json")).Output.ShouldContain("not JSON");
        var second = JsonDocument.Parse((await RunAsync("faults", "add", """{"kind":"api.latency","latency":"00:00:00.001"}""")).Output).RootElement.GetProperty("id").GetString()!;
        (await RunAsync("faults", "remove", second)).Exit.ShouldBe(0);
        (await RunAsync("faults", "list")).Output.ShouldNotContain(second);
    }

    [Fact]
    public async Task Listen_ForwardsEachNotificationToTheLocalUrlAndPrintsItsAnswer()
    {
        await using var local = await NotificationReceiver.StartAsync();
        await using var listen = Start("listen", "--forward-to", local.Url, "--for", "00:00:20");
        await listen.WaitForAsync("Listening; forwarding");

        (await RunAsync("trigger", "payment.succeeded")).Exit.ShouldBe(0);

        (await local.WaitForAsync(1)).ShouldHaveSingleItem();
        var output = await listen.WaitForAsync("forwarded to");
        output.ShouldContain("-> PAYMENT notification for trg_pay_");
        output.ShouldContain("answer: {\"code\":\"SUCCESS\"");
    }

    [Fact]
    public async Task LogsTail_PrintsEachRequestWithItsCode()
    {
        await using var tail = Start("logs", "tail", "--for", "00:00:20");
        await tail.WaitForAsync("Following");

        (await _gateway.Merchant.QueryAsync("cli_no_such_order")).Code.ShouldBe("ORDER_NOT_EXIST");

        (await tail.WaitForAsync("orderQuery")).ShouldContain("POST /aggregate-pay/api/gateway/orderQuery 200 ORDER_NOT_EXIST");
    }

    [Fact]
    public async Task WithoutASandboxThere_OneSentenceAndExitCode1()
    {
        var port = FreePorts.Next();

        var result = await RunAsync(["--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "clock"], withPort: false);

        result.Exit.ShouldBe(1);
        result.Output.ShouldContain($"No sandbox answers at http://127.0.0.1:{port}");
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args) => await RunAsync(args, withPort: true);

    private async Task<(int Exit, string Output)> RunAsync(string[] args, bool withPort)
    {
        await using var run = Start(withPort, args);
        return (await run.ExitAsync(), run.Output);
    }

    private CommandRun Start(params string[] args) => Start(withPort: true, args);

    private CommandRun Start(bool withPort, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TokenPay.Sandbox.dll"));
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(_data);
        if (withPort)
        {
            start.ArgumentList.Add("--gateway-port");
            start.ArgumentList.Add(_gateway.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new CommandRun(Process.Start(start)!);
    }

    /// <summary>A command being run: its output so far, and its end.</summary>
    private sealed class CommandRun : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ProcessOutput _output;

        public CommandRun(Process process) => (_process, _output) = (process, new ProcessOutput(process));

        public string Output => _output.Text;

        public async Task<int> ExitAsync()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(limit.Token);
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public Task<string> WaitForAsync(string text) =>
            Eventually.UntilAsync(() => Task.FromResult(Output), o => o.Contains(text, StringComparison.Ordinal), $"'{text}' from the command", TimeSpan.FromSeconds(30));

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
