using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// README.md's <c>sh</c> blocks run as printed, in order, in one bash session in a temporary folder, as a person
/// runs the walkthrough in a terminal: the sandbox, the gateway alone with a merchant from environment variables,
/// openssl and curl, the SDK sample both ways, the sandbox tour. Every command must succeed, and each output the
/// README shows (a <c># ...</c> line) must appear in its block's output. The few changes made so that it runs fast,
/// offline and beside anything else on the machine are all in <see cref="Prepare"/>; blocks not run are in
/// <see cref="NotRun"/> with the reason.
/// </summary>
public sealed partial class ReadmeCommandTests : IDisposable
{
    /// <summary>Blocks not run, by how their first line starts, and why.</summary>
    private static readonly Dictionary<string, string> NotRun = new()
    {
        ["dotnet test TokenPay.slnx"] = "it runs this test; .ci/run runs it",
        ["dotnet run --project src/TokenPay.Sandbox -- cluster"] = "needs PostgreSQL's binaries and runs until Ctrl+C; ClusterCommandTests runs the verb",
        ["dotnet run --project src/TokenPay.Gateway -- --urls"] = "the gateway alone without a merchant; the next block starts the same command with one, in the background",
        ["dotnet pack src/TokenPay.Protocol"] = "a Release build of the packages into artifacts/ (slow, writes into the repository)",
        ["dotnet pack src/TokenPay.Sandbox"] = "installs a global tool; .ci/run packs and installs it",
        ["dotnet run --project src/TokenPay.Gateway -- notifications list"] = "42 stands for a notification's id, and the server's database is the reader's",
        ["apt-get install -y wrk"] = "installs a package and runs the 15-minute benchmark",
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("tokenpay-readme-").FullName;
    private readonly int _sandboxGatewayPort = FreePorts.Next();
    private readonly int _sandboxMerchantPort = FreePorts.Next();
    private readonly int _gatewayAlonePort = FreePorts.Next();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void EveryBlock_IsRunOrNotRunForAStatedReason()
    {
        var blocks = Blocks();

        foreach (var start in NotRun.Keys)
        {
            blocks.Count(b => b.StartsWith(start, StringComparison.Ordinal)).ShouldBe(1, $"one README block starts with '{start}' (NotRun is up to date)");
        }

        blocks.Count(IsRun).ShouldBeGreaterThanOrEqualTo(10, "the walkthrough's blocks are run");
    }

    [Fact]
    public async Task WalkthroughBlocks_RunAsPrinted_AndPrintWhatTheReadmeShows()
    {
        var run = Blocks().Where(IsRun).ToList();
        var script = new StringBuilder("""
            set -E -o pipefail
            # A failing command ends the walkthrough, naming itself; whatever runs in the background stops with it.
            trap 'status=$?; printf "\n@@failed: %s (exit %d)\n" "$BASH_COMMAND" "$status"; exit "$status"' ERR
            trap 'jobs -p | xargs -r kill 2>/dev/null || true; wait' EXIT

            """);
        for (var i = 0; i < run.Count; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"printf '\\n@@block {i}\\n'\n{Prepare(run[i])}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(_folder, "readme.sh"), script.ToString());

        var (exit, output) = await RunBashAsync("readme.sh");

        var log = Path.Combine(_folder, "sandbox.log");
        var explanation = $"{output}\n--- sandbox.log ---\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "(none)")}";
        exit.ShouldBe(0, explanation);
        var outputs = Regex.Split(output, @"^@@block \d+$", RegexOptions.Multiline).Skip(1).ToList();
        outputs.Count.ShouldBe(run.Count, explanation);
        for (var i = 0; i < run.Count; i++)
        {
            foreach (var expected in ShownOutputs(run[i]))
            {
                Shows(outputs[i], expected).ShouldBeTrue($"The block\n{run[i]}\nshould print {expected}; it printed:\n{outputs[i]}");
            }
        }
    }

    /// <summary>
    /// The only changes to a block before it runs: the built output instead of <c>dotnet run --project</c> (fast,
    /// offline), free ports instead of 5070/5080/5090, and the commands that run until Ctrl+C in the background.
    /// </summary>
    private string Prepare(string block)
    {
        var bin = AppContext.BaseDirectory.TrimEnd('/');
        var lines = block.Split('\n').Select(line => line.Trim() == "dotnet run --project src/TokenPay.Sandbox"
            // The sandbox on free ports, its output kept to explain a failure; the next block runs once it has recorded itself.
            ? $"dotnet run --project src/TokenPay.Sandbox -- --gateway-port {_sandboxGatewayPort} --merchant-port {_sandboxMerchantPort} > sandbox.log 2>&1 &\n" +
              "until ls \"$XDG_DATA_HOME\"/tokenpay/sandboxes/*.json >/dev/null 2>&1; do sleep 0.2; done"
            : LongRunningCommand().Replace(line, "$1 &"));
        return DotnetRun().Replace(string.Join('\n', lines), $"dotnet {bin}/$1.dll")
            .Replace("127.0.0.1:5070", $"127.0.0.1:{_gatewayAlonePort}", StringComparison.Ordinal)
            .Replace("127.0.0.1:5080", $"127.0.0.1:{_sandboxGatewayPort}", StringComparison.Ordinal)
            .Replace("127.0.0.1:5090", $"127.0.0.1:{_sandboxMerchantPort}", StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> RunBashAsync(string script)
    {
        var home = Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _folder,
            // Where the sandbox records itself and the commands find it: a sandbox running on this machine is not seen.
            Environment = { ["XDG_DATA_HOME"] = home, ["DOTNET_NOLOGO"] = "1" },
        };
        start.ArgumentList.Add(script);
        using var bash = Process.Start(start)!;
        var output = new ProcessOutput(bash);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await bash.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            throw new TimeoutException($"The README's blocks did not end within 3 minutes:\n{output.Text}");
        }

        bash.WaitForExit();
        return (bash.ExitCode, output.Text);
    }

    /// <summary>What the README says a block prints: its lines starting with <c># </c>.</summary>
    private static IEnumerable<string> ShownOutputs(string block) =>
        block.Split('\n').Where(line => line.StartsWith("# ", StringComparison.Ordinal)).Select(line => line[2..].Trim());

    /// <summary>A JSON answer is shown when some line of the output has its shape (<c>"T2026..."</c>: any text); other text verbatim.</summary>
    private static bool Shows(string output, string expected)
    {
        if (!expected.StartsWith('{'))
        {
            return output.Contains(expected, StringComparison.Ordinal);
        }

        using var wanted = JsonDocument.Parse(expected);
        return output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith('{')).Any(line =>
        {
            try
            {
                using var actual = JsonDocument.Parse(line);
                return Matches(wanted.RootElement, actual.RootElement);
            }
            catch (JsonException)
            {
                return false;
            }
        });
    }

    private static bool Matches(JsonElement wanted, JsonElement actual) => wanted.ValueKind switch
    {
        JsonValueKind.Object => actual.ValueKind == JsonValueKind.Object
            && wanted.EnumerateObject().All(p => actual.TryGetProperty(p.Name, out var value) && Matches(p.Value, value)),
        JsonValueKind.String when wanted.GetString()!.EndsWith("...", StringComparison.Ordinal) => actual.ValueKind == JsonValueKind.String && actual.GetString()!.Length > 0,
        _ => JsonElement.DeepEquals(wanted, actual),
    };

    private static bool IsRun(string block) => !NotRun.Keys.Any(start => block.StartsWith(start, StringComparison.Ordinal));

    private static List<string> Blocks()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Readme.md"));
        return ShBlock().Matches(readme).Select(m => m.Groups[1].Value.TrimEnd()).ToList();
    }

    [GeneratedRegex("^```sh\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex ShBlock();

    // dotnet run --project src/NAME (and its "--" before the program's own arguments).
    [GeneratedRegex(@"dotnet run --project (?:src|samples)/([\w.]+)(?: --(?= |""|$))?", RegexOptions.Multiline)]
    private static partial Regex DotnetRun();

    // The tour's commands that follow until Ctrl+C, without their comment.
    [GeneratedRegex(@"^(\$S (?:listen|logs tail)\b[^#]*?)\s*(?:#.*)?$")]
    private static partial Regex LongRunningCommand();
}
