using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

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

    // Where running sandboxes record themselves (XDG_DATA_HOME of the commands): a sandbox running on this machine is not seen.
    private readonly string _home = Directory.CreateTempSubdirectory("tokenpay-home-").FullName;

    // A folder other than the sandbox's, as a person's shell somewhere else.
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("tokenpay-elsewhere-").FullName;

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
        foreach (var folder in (string[])[_home, _elsewhere, _data])
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Clock_ShowsAndMoves_ABadDurationIsAUsageError_AMoveTooFarIsRefused()
    {
        var moved = await RunAsync("clock", "advance", "01:30:00");
        var shown = await RunAsync("clock");
        var bad = await RunAsync("clock", "advance", "soon");
        var tooFar = await RunAsync("clock", "advance", "400d");
        var missing = await RunAsync("clock", "advance");

        moved.Exit.ShouldBe(0, moved.Output);
        shown.Output.ShouldContain("\"offset\": \"01:30:00\"");
        bad.Exit.ShouldBe(2, bad.Output);
        bad.Output.ShouldContain("advance must be a positive duration such as 30s, 5m, 2h, 7d or 00:05:00 (got 'soon')");
        missing.Exit.ShouldBe(2, missing.Output);
        missing.Output.ShouldNotContain("   at ");
        tooFar.Exit.ShouldBe(1, tooFar.Output);
        tooFar.Output.ShouldContain("Refused: advance must be at most");
        (await RunAsync("clock")).Output.ShouldContain("\"offset\": \"01:30:00\"", customMessage: "neither moved the clock");
    }

    [Fact]
    public async Task FaultsAdd_NotJsonIsAUsageError_ARuleTheSandboxDoesNotTakeIsRefused()
    {
        var notJson = await RunAsync("faults", "add", "{kind:x}");
        var unknown = await RunAsync("faults", "add", """{"kind":"no.such-kind"}""");

        notJson.Exit.ShouldBe(2, notJson.Output);
        notJson.Output.ShouldContain("The rule is not JSON; see docs/sandbox.md");
        unknown.Exit.ShouldBe(1, unknown.Output);
        unknown.Output.ShouldContain("Refused: ");
        (await RunAsync("faults", "list")).Output.ShouldNotContain("no.such-kind");
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
    public async Task WithoutASandboxThere_OneSentenceAndExitCode3_AsTheMerchantCommands()
    {
        var port = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var clock = await RunAsync(["--gateway-port", port, "clock"], withPort: false);
        var faults = await RunAsync(["--gateway-port", port, "faults", "list"], withPort: false);
        var logs = await RunAsync(["--gateway-port", port, "logs", "tail", "--for", "1s"], withPort: false);

        foreach (var (exit, output) in (ReadOnlySpan<(int, string)>)[clock, faults, logs])
        {
            exit.ShouldBe(3, output);
            output.ShouldContain($"No sandbox answers at http://127.0.0.1:{port}; start it first");
            output.ShouldNotContain("   at ");
        }
    }

    private string GatewayPort => _gateway.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task TriggerDispute_RaisesACaseOnAPaidOrder_ThenRulesIt_AndEachEventTakesItsOwnOptions()
    {
        var paid = await RunAsync("trigger", "payment.succeeded");
        var order = System.Text.RegularExpressions.Regex.Match(paid.Output, "Order (trg_pay_[0-9a-f]+)").Groups[1].Value;

        var created = await RunAsync("trigger", "dispute.created", "--order", order, "--reason", "fraud");
        var caseId = System.Text.RegularExpressions.Regex.Match(created.Output, "\"acquirerCaseId\": \"(SIMD[0-9A-F]+)\"").Groups[1].Value;
        var won = await RunAsync("trigger", "dispute.won", "--case", caseId);
        var again = await RunAsync("trigger", "dispute.cancelled", "--case", caseId);
        var noCase = await RunAsync("trigger", "dispute.lost");
        var badReason = await RunAsync("trigger", "dispute.created", "--order", order, "--reason", "chargeback");
        var caseOnPayment = await RunAsync("trigger", "payment.succeeded", "--case", caseId);
        var unknownOrder = await RunAsync("trigger", "dispute.created", "--order", "nope", "--reason", "duplicate");
        var help = await RunAsync("trigger", "--help");

        created.Exit.ShouldBe(0, created.Output);
        created.Output.ShouldContain("\"reasonCategory\": \"FRAUD\"");
        (won.Exit, again.Exit).ShouldBe((0, 1), won.Output + again.Output);
        won.Output.ShouldContain("\"merchantWon\": true");
        again.Output.ShouldContain($"Refused: Case {caseId} is ruled already (WIN): only an open case can change.");
        (noCase.Exit, badReason.Exit, caseOnPayment.Exit).ShouldBe((2, 2, 2));
        noCase.Output.ShouldContain("dispute.lost needs --case <caseId>, e.g. trigger dispute.lost --case D123.");
        badReason.Output.ShouldContain("--reason must be one of fraud, not_received, duplicate, cancelled_recurring, not_as_described, credit_not_processed (got 'chargeback').");
        caseOnPayment.Output.ShouldContain("--order, --reason and --case are for the dispute events only.");
        (unknownOrder.Exit, unknownOrder.Output.Trim()).ShouldBe((1, $"Refused: No order nope for merchant {TestKeys.MerchantNo}."));
        help.Output.ShouldContain("trigger dispute.created --order <outTradeNo> --reason fraud");
        help.Output.ShouldContain("--case");
    }

    [Fact]
    public async Task TriggerDispute_WithoutASandbox_IsNotReachable()
    {
        var trigger = await RunAsync(["trigger", "dispute.won", "--case", "D1"], withPort: false, withData: false);

        trigger.Exit.ShouldBe(3, trigger.Output);
        trigger.Output.ShouldContain("No running sandbox found and no --data given.");
    }

    [Fact]
    public async Task FromAnotherFolderWithoutASandbox_OneSentenceNamingHowToStartOne_AndNoNewSandbox()
    {
        var merchant = await RunAsync(["merchant", "wallet", "list", "--user", "x"], withPort: false, withData: false);
        var trigger = await RunAsync(["trigger", "payment.succeeded"], withPort: false, withData: false);

        merchant.Exit.ShouldBe(3, merchant.Output);
        merchant.Output.ShouldContain("No running sandbox found and no --data given. Start one in another terminal (dotnet run --project src/TokenPay.Sandbox), or pass --data");
        trigger.Exit.ShouldBe(3, trigger.Output);
        trigger.Output.ShouldContain("No running sandbox found and no --data given.");
        Directory.EnumerateFileSystemEntries(_elsewhere).ShouldBeEmpty("no new sandbox (keys, databases) where the command ran");
        merchant.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task FromAnotherFolder_TheRunningSandboxIsFound_ItsKeysAndPort()
    {
        await RecordRunningSandboxAsync();

        var trigger = await RunAsync(["trigger", "payment.succeeded"], withPort: false, withData: false);
        var wallet = await RunAsync(["merchant", "wallet", "list", "--user", "x"], withPort: false, withData: false);

        trigger.Exit.ShouldBe(0, trigger.Output);
        trigger.Output.ShouldContain("APPLY_SUCCESS SUCCESS");
        wallet.Exit.ShouldBe(0, wallet.Output);
        wallet.Output.ShouldContain("x has no saved cards.");
        Directory.EnumerateFileSystemEntries(_elsewhere).ShouldBeEmpty();
    }

    [Fact]
    public async Task Env_PrintsTheSdkSettingsOfTheSandboxFound_AsShellExports()
    {
        await RecordRunningSandboxAsync();

        var env = await RunAsync(["env"], withPort: false, withData: false);
        var nowhere = await RunAsync(["--data", _elsewhere, "env"], withPort: false, withData: false);

        env.Exit.ShouldBe(0, env.Output);
        env.Output.ShouldContain($"export PAYERMAX_BASE_URL='{_gateway.BaseAddress.ToString().TrimEnd('/')}'");
        env.Output.ShouldContain($"export PAYERMAX_APP_ID='{TestKeys.AppId}'");
        env.Output.ShouldContain($"export PAYERMAX_MERCHANT_NO='{TestKeys.MerchantNo}'");
        env.Output.ShouldContain($"export PAYERMAX_MERCHANT_PRIVATE_KEY='{TestKeys.MerchantPrivate}'");
        env.Output.ShouldContain($"export PAYERMAX_PLATFORM_PUBLIC_KEY='{TestKeys.PlatformPublic}'");
        nowhere.Exit.ShouldBe(3, nowhere.Output);
        nowhere.Output.ShouldContain("holds no sandbox (no sandbox.json)");
        Directory.EnumerateFileSystemEntries(_elsewhere).ShouldBeEmpty("no new sandbox");
    }

    [Fact]
    public async Task SandboxOptions_AcceptedAfterTheMerchantVerbToo()
    {
        var result = await RunAsync(["merchant", "wallet", "list", "--user", "x", "--data", _data, "--gateway-port", GatewayPort], withPort: false, withData: false);

        result.Exit.ShouldBe(0, result.Output);
        result.Output.ShouldContain("x has no saved cards.");
    }

    [Fact]
    public async Task MerchantCommands_SettingsOnTheCommandLineWinOverTheSandboxs_ABadConnectionStringIsOneSentence()
    {
        var elsewhere = $"http://127.0.0.1:{FreePorts.Next()}";

        var gateway = await RunAsync("merchant", "wallet", "list", "--user", "x", $"--PayerMax:BaseUrl={elsewhere}");
        var database = await RunAsync("merchant", "charge", "--user", "x", "--amount", "1", "--charge-id", "c1", "--Merchant:Storage:Provider=Postgres", "--Merchant:Storage:ConnectionString=Data Source=x;Password=s3cret-pw");

        gateway.Exit.ShouldBe(3, gateway.Output);
        gateway.Output.ShouldContain("Could not complete the command");
        database.Exit.ShouldBe(3, database.Output);
        database.Output.ShouldContain("Merchant:Storage:ConnectionString is not a Postgres connection string: Couldn't set data source.");
        database.Output.ShouldNotContain("s3cret-pw");
        database.Output.ShouldNotContain("Exception");
        database.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task MerchantCommands_UseTheStoreTheClusterRecorded()
    {
        await File.WriteAllTextAsync(Path.Combine(_data, "merchant-storage.json"), """{"Provider":"Postgres","ConnectionString":"Host=127.0.0.1;Port=1;Database=tokenpay_merchant;Username=cluster;Timeout=2"}""");

        var result = await RunAsync("merchant", "wallet", "list", "--user", "x");

        result.Exit.ShouldBe(3, result.Output);
        result.Output.ShouldContain("PostgreSQL at 127.0.0.1:1, database tokenpay_merchant, user cluster, cannot be used");

        await File.WriteAllTextAsync(Path.Combine(_data, "merchant-storage.json"), "{ half written");
        var damaged = await RunAsync("merchant", "wallet", "list", "--user", "x");
        damaged.Exit.ShouldBe(3, damaged.Output);
        damaged.Output.ShouldContain("merchant-storage.json is not what the cluster writes");
        damaged.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task MerchantCommands_RecordTimesOnTheSandboxClock_ShowMMYY_PlainInAPipe_AndExitCodesSayWhatHappened()
    {
        (await RunAsync("clock", "advance", "8h")).Exit.ShouldBe(0);
        var saved = await RunAsync("trigger", "mit.declined");
        var user = System.Text.RegularExpressions.Regex.Match(saved.Output, "for (trigger_[0-9a-f]+)").Groups[1].Value;
        var token = System.Text.RegularExpressions.Regex.Match(saved.Output, "Saved card (\\S+)").Groups[1].Value;
        await File.WriteAllTextAsync(Path.Combine(_data, "batch.csv"), $"{user},2.00,USD,Top-up,b1\nnobody,2.00,USD,Top-up,b2\n");

        var charge = await RunAsync("merchant", "charge", "--user", user, "--amount", "3.00", "--charge-id", "c1");
        var status = await RunAsync("merchant", "charge-status", "--charge-id", "c1", "--json");
        var wallet = await RunAsync("merchant", "wallet", "list", "--user", user);
        var batch = await RunAsync("merchant", "charge-batch", "--file", Path.Combine(_data, "batch.csv"));

        charge.Exit.ShouldBe(1, charge.Output);
        var at = JsonDocument.Parse(status.Output).RootElement.GetProperty("attempts")[0].GetProperty("at").GetDateTimeOffset();
        at.ShouldBeGreaterThan(TimeProvider.System.GetUtcNow().AddHours(7), "the charge is recorded at the sandbox's time, 8 h ahead");
        wallet.Output.ShouldContain(token);
        wallet.Output.ShouldMatch($"{token}.*12/35", "the token on one line, the expiry as MM/YY");
        wallet.Output.ShouldNotContain("\u001b[");
        batch.Exit.ShouldBe(1, batch.Output);
        batch.Output.ShouldNotContain("\u001b[");
    }

    [Fact]
    public async Task HelpShowsTheCommandAsTyped_DurationsLike5s_AndAMerchantVerbWithoutMerchantIsPointedThere()
    {
        var help = await RunAsync("merchant", "charge", "--help");
        var sandboxHelp = await RunAsync("--help");
        var listen = await RunAsync("listen", "--for", "1s");
        var bad = await RunAsync("listen", "--for", "soon");
        var verb = await RunAsync("charge", "--user", "x");

        help.Exit.ShouldBe(0, help.Output);
        help.Output.ShouldContain("Usage:\n  dotnet run --project src/TokenPay.Sandbox -- merchant charge [options]");
        sandboxHelp.Output.ShouldContain("charge, charge-status, retry, charge-batch, refund, wallet list|remove, reconcile");
        sandboxHelp.Output.ShouldContain("Exit codes: 0 done; 1 refused or declined");
        listen.Exit.ShouldBe(0, listen.Output);
        listen.Output.ShouldContain("Listening for notifications.");
        bad.Exit.ShouldBe(2);
        bad.Output.ShouldContain("--for must be a positive duration such as 30s, 5m, 2h, 7d or 00:05:00 (got 'soon')");
        bad.Output.ShouldNotContain("System.Nullable");
        verb.Exit.ShouldBe(2);
        verb.Output.ShouldContain("'charge' is a merchant command: dotnet run --project src/TokenPay.Sandbox -- merchant charge --user x");
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args) => await RunAsync(args, withPort: true);

    private async Task<(int Exit, string Output)> RunAsync(string[] args, bool withPort, bool withData = true)
    {
        await using var run = Start(withPort, args, withData);
        return (await run.ExitAsync(), run.Output);
    }

    // The sandbox recording itself as it does once it runs: its data folder and ports, with a process that runs (this one).
    private async Task RecordRunningSandboxAsync()
    {
        var folder = Path.Combine(_home, "tokenpay", "sandboxes");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{GatewayPort}.json"), JsonSerializer.Serialize(new
        {
            Data = _data, GatewayPort = _gateway.BaseAddress.Port, MerchantPort = FreePorts.Next(), ProcessId = Environment.ProcessId,
        }));
    }

    private CommandRun Start(params string[] args) => Start(withPort: true, args);

    private CommandRun Start(bool withPort, string[] args, bool withData = true)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _elsewhere,
            Environment = { ["XDG_DATA_HOME"] = _home, ["DOTNET_NOLOGO"] = "1" },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TokenPay.Sandbox.dll"));
        if (withData)
        {
            start.ArgumentList.Add("--data");
            start.ArgumentList.Add(_data);
        }

        if (withPort)
        {
            start.ArgumentList.Add("--gateway-port");
            start.ArgumentList.Add(GatewayPort);
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
