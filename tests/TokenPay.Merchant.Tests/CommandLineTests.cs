using System.Diagnostics;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// The merchant command line as a person meets it, run as its own process: help for every command, usage
/// errors named in words with a suggestion and exit code 2, never a .NET exception or stack trace.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tokenpay-cli-").FullName;

    [Theory]
    [InlineData("--help", 0, "charge-batch")]
    [InlineData("charge --help", 0, "--charge-id")]
    [InlineData("charge --help", 0, "Usage:\n  dotnet run --project src/TokenPay.Merchant -- charge [options]")]
    [InlineData("--help", 0, "3 not known yet")]
    [InlineData("charge-batch --help", 0, "RFC 4180")]
    [InlineData("wallet --help", 0, "remove")]
    [InlineData("wallet", 2, "list")]
    [InlineData("chrage", 2, "charge")]
    [InlineData("charge --usr alice --amount 5 --charge-id c1", 2, "--user")]
    [InlineData("charge --user alice --amount five --charge-id c1", 2, "--amount must be a number such as 5.00 (got 'five')")]
    [InlineData("charge --user alice --amount 5 --currency XXX --charge-id c1", 2, "--currency: currency XXX is not an ISO 4217 code")]
    [InlineData("charge --user alice --amount 5.001 --charge-id c1", 2, "--amount: amount must be positive with at most 2 decimals for USD")]
    [InlineData("charge --user alice --amount 5", 2, "--charge-id")]
    [InlineData("charge-batch --file missing.csv", 2, "does not exist")]
    [InlineData("refund --help", 0, "--refund-id")]
    [InlineData("refund --payment p1 --amount 0 --refund-id r1", 2, "--amount: amount must be more than zero")]
    [InlineData("refund --payment p1 --amount 1", 2, "--refund-id")]
    [InlineData("disputes --help", 0, "reply")]
    [InlineData("disputes reply --help", 0, "disputes reply --case D2026120700000001 --text \"Delivered on 2026-11-20, signed for\" --file https://shop.example/pod.pdf --file")]
    [InlineData("disputes show --help", 0, "--case")]
    [InlineData("disputes reply --case D1 --file https://shop.example/a.pdf", 2, "--text")]
    [InlineData("disputes reply --case D1 --text Delivered --file http://shop.example/a.pdf", 2, "--file: Evidence link http://shop.example/a.pdf is not an https link")]
    [InlineData("disputes list --status pending", 2, "open")]
    public async Task UsageAndHelp_ClearWordsAndExitCodes(string arguments, int exitCode, string expected)
    {
        var (exit, output) = await RunAsync(arguments);

        exit.ShouldBe(exitCode, output);
        output.ShouldContain(expected, Case.Sensitive, output);
        output.ShouldNotContain("Exception");
        output.ShouldNotContain("   at ");
        output.ShouldNotContain("(Parameter");
        File.Exists(Path.Combine(_directory, "tokenpay-merchant.db")).ShouldBeFalse("a usage error touches no database");
    }

    [Fact]
    public async Task UnreachableDatabase_OneSentenceNamingWhere_NeverThePassword_Exit3()
    {
        var (exit, output) = await RunAsync("wallet list --user x --Merchant:Storage:Provider=Postgres --Merchant:Storage:ConnectionString=Host=127.0.0.1;Port=1;Database=shop;Username=shopper;Password=s3cret-pw;Timeout=2");

        exit.ShouldBe(3, output);
        output.ShouldContain("PostgreSQL at 127.0.0.1:1, database shop, user shopper, cannot be used");
        output.ShouldContain("Merchant:Storage:ConnectionString");
        output.ShouldNotContain("s3cret-pw");
        output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task WrongMerchantAndPayerMaxSettings_ASentenceNamingEach_Exit2()
    {
        var (exit, output) = await RunAsync("reconcile --Merchant:SmartRetries:PollInterval=0 --Merchant:ReconcileInterval=-00:01:00");

        exit.ShouldBe(2, output);
        output.ShouldContain("Merchant:ReconcileInterval must be positive and at most 49 days.; Merchant:SmartRetries:PollInterval must be positive and at most 49 days.");
        output.ShouldContain("PayerMax:AppId is required.");
        output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task BatchWithBadLines_EachReportedWithItsLine_NothingCharged()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "bad.csv"), "userId,amount,currency,reason,chargeId\nu1,5.00,USD,\"Top-up, monthly\",c1\nu2,five,USD,x,c2\n");

        var (exit, output) = await RunAsync("charge-batch --file bad.csv");

        exit.ShouldBe(2, output);
        output.ShouldContain("bad.csv line 3: amount 'five' is not a number");
        output.ShouldContain("nothing was charged");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<(int Exit, string Output)> RunAsync(string arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["NO_COLOR"] = "1", ["DOTNET_NOLOGO"] = "1" },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TokenPay.Merchant.dll"));
        foreach (var argument in arguments.Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
