using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;

namespace TokenPay.Sandbox;

/// <summary>
/// A running sandbox as it records itself, so that commands run from any folder talk to it: one file per gateway
/// port under the user's local application data (tokenpay/sandboxes/PORT.json), written once it is listening and
/// removed when it stops. It holds where the data is and the ports, never a key.
/// </summary>
internal sealed record RunningSandbox(string Data, int GatewayPort, int MerchantPort, int ProcessId)
{
    private static string Folder => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) is { Length: > 0 } home ? home : Path.GetTempPath(), "tokenpay", "sandboxes");

    /// <summary>Records this process as the sandbox on its gateway port until the result is disposed.</summary>
    public static IDisposable Record(Sandbox sandbox)
    {
        var file = Path.Combine(Folder, $"{sandbox.GatewayPort}.json");
        var running = new RunningSandbox(sandbox.DataDirectory, sandbox.GatewayPort, sandbox.MerchantPort, Environment.ProcessId);
        try
        {
            Directory.CreateDirectory(Folder);
            File.WriteAllText(file, JsonSerializer.Serialize(running));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Commands then need --data; the sandbox itself runs the same.
            Console.Error.WriteLine($"Could not record the running sandbox in {Folder} ({ex.Message}); commands from other folders need --data {sandbox.DataDirectory}.");
        }

        return new Removal(file);
    }

    /// <summary>The sandboxes whose process still runs (a file left by a killed sandbox is ignored), by gateway port.</summary>
    public static IReadOnlyList<RunningSandbox> Find()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        var found = new List<RunningSandbox>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<RunningSandbox>(File.ReadAllText(file)) is { } running && IsRunning(running.ProcessId))
                {
                    found.Add(running);
                }
            }
            catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
            {
                // Half written or unreadable: as if not there.
            }
        }

        return [.. found.OrderBy(r => r.GatewayPort)];
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private sealed class Removal(string file) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                // Only our own record: another sandbox may have taken the port since.
                if (File.Exists(file) && JsonSerializer.Deserialize<RunningSandbox>(File.ReadAllText(file))?.ProcessId == Environment.ProcessId)
                {
                    File.Delete(file);
                }
            }
            catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
            {
                // Ignored by Find once this process has ended.
            }
        }
    }
}

/// <summary>The sandbox a command talks to: its data folder (null when none was found) and ports.</summary>
internal sealed record SandboxTarget(string? Data, int GatewayPort, int MerchantPort, bool DataGiven)
{
    public string GatewayUrl => $"http://127.0.0.1:{GatewayPort}";

    /// <summary>The command that starts a sandbox: the invocation without its "--" (dotnet run takes the sandbox's options after it).</summary>
    public static string StartCommand(string invocation) => invocation.EndsWith(" --", StringComparison.Ordinal) ? invocation[..^3] : invocation;

    /// <summary>The data folder holding the sandbox's keys; a sentence saying how to get one otherwise.</summary>
    public string RequireData(string invocation)
    {
        if (Data is not null && File.Exists(Path.Combine(Data, "sandbox.json")))
        {
            return Data;
        }

        throw new SandboxUnreachableException(DataGiven
            ? $"{Data} holds no sandbox (no sandbox.json); pass the folder the sandbox printed when it started (\"data in ...\"), or start one there: {StartCommand(invocation)} --data {Data}"
            : $"No running sandbox found and no --data given. Start one in another terminal ({StartCommand(invocation)}), or pass --data with the folder a sandbox keeps its keys in.");
    }
}

/// <summary>
/// Finds the sandbox a command talks to: --data and --gateway-port when given; otherwise the running sandbox that
/// recorded itself (<see cref="RunningSandbox"/>); otherwise ./sandbox-data when it holds a sandbox's keys. It never
/// creates one: only starting the sandbox does.
/// </summary>
internal sealed class SandboxLocator(Option<DirectoryInfo> data, Option<int> gatewayPort, Option<int> merchantPort)
{
    public SandboxTarget Locate(ParseResult parse)
    {
        var givenData = parse.GetResult(data) is { Implicit: false } ? parse.GetValue(data)!.FullName : null;
        int? givenPort = parse.GetResult(gatewayPort) is { Implicit: false } ? parse.GetValue(gatewayPort) : null;
        int? givenMerchantPort = parse.GetResult(merchantPort) is { Implicit: false } ? parse.GetValue(merchantPort) : null;
        var running = RunningSandbox.Find().FirstOrDefault(r =>
            (givenData is null || SameFolder(r.Data, givenData)) && (givenPort is null || r.GatewayPort == givenPort));
        var here = parse.GetValue(data)!.FullName;
        var folder = givenData ?? running?.Data ?? (File.Exists(Path.Combine(here, "sandbox.json")) ? here : null);
        return new SandboxTarget(folder, givenPort ?? running?.GatewayPort ?? parse.GetValue(gatewayPort), givenMerchantPort ?? running?.MerchantPort ?? parse.GetValue(merchantPort), givenData is not null);
    }

    private static bool SameFolder(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
