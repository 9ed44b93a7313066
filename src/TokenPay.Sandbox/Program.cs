// The sandbox: `dotnet run --project src/TokenPay.Sandbox` starts a gateway and the demo merchant on
// 127.0.0.1 with SQLite files and freshly generated keys under ./sandbox-data (kept across restarts).
// `dotnet run --project src/TokenPay.Sandbox -- merchant <command>` runs a merchant command
// (charge, charge-batch, wallet, reconcile) against the sandbox's merchant. `-- cluster` runs the gateway as
// three processes on a local PostgreSQL behind one front door. `clock`, `faults`, `listen`, `logs tail` and
// `trigger` drive a running sandbox, found from any folder or named by --data (docs/sandbox.md). `--help` lists the flags.
using System.CommandLine;
using TokenPay.Sandbox;

var data = new Option<DirectoryInfo>("--data") { Description = "Where keys and SQLite files are kept (made when a sandbox first starts there, reused after). Other commands use the running sandbox's unless it is given.", DefaultValueFactory = _ => new DirectoryInfo("sandbox-data"), Recursive = true };
var gatewayPort = new Option<int>("--gateway-port") { Description = "The gateway's port on 127.0.0.1.", DefaultValueFactory = _ => 5080, Recursive = true };
var merchantPort = new Option<int>("--merchant-port") { Description = "The demo merchant's port on 127.0.0.1.", DefaultValueFactory = _ => 5090, Recursive = true };
var quiet = new Option<bool>("--quiet") { Description = "Do not print a line per request served." };
foreach (var port in new[] { gatewayPort, merchantPort })
{
    port.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int>() is < 1 or > 65535)
        {
            result.AddError($"{result.Option.Name} must be a port number between 1 and 65535.");
        }
    });
}

var nodes = new Option<int>("--nodes") { Description = "How many gateway nodes the cluster runs.", DefaultValueFactory = _ => 3 };
nodes.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() is < 1 or > 9)
    {
        result.AddError("--nodes must be between 1 and 9.");
    }
});
var postgres = new Option<string?>("--postgres") { Description = "Use this PostgreSQL (an Npgsql connection string) instead of starting one under --data/postgres." };
var cluster = new Command("cluster", "Run the gateway as a cluster: a local PostgreSQL, --nodes gateway processes and a round-robin front door on --gateway-port, with the demo merchant. Stop with Ctrl+C.")
{
    nodes, postgres,
};

// Shown in --help; the verb itself is handled below, before parsing.
var merchant = new Command("merchant", "Run a merchant command against the running sandbox's merchant (or the one in --data): charge, charge-status, retry, " +
    $"charge-batch, refund, wallet list|remove, reconcile, hash-password (merchant --help lists them). {TokenPay.Merchant.Cli.MerchantCommands.ExitCodes}");

var invocation = TokenPay.Merchant.Cli.CommandLineStyle.Invocation("src/TokenPay.Sandbox");
var root = new RootCommand("TokenPay sandbox: a gateway and the demo merchant on 127.0.0.1, with generated keys kept under --data. Stop with Ctrl+C. " +
    "The other commands find the running sandbox from any folder (or take --data and --gateway-port).")
{
    data, gatewayPort, merchantPort, quiet, merchant, cluster,
};
var locator = new SandboxLocator(data, gatewayPort, merchantPort);
foreach (var command in new SandboxCommands(locator, invocation).Create())
{
    root.Subcommands.Add(command);
}

TokenPay.Merchant.Cli.CommandLineStyle.UseInvocation(root, invocation);
root.SetAction(async (parse, ct) => await (await Sandbox.PrepareAsync(parse.GetValue(data)!, parse.GetValue(gatewayPort), parse.GetValue(merchantPort), parse.GetValue(quiet))).RunAsync(ct));
cluster.SetAction(async (parse, ct) =>
    await new Cluster(await Sandbox.PrepareAsync(parse.GetValue(data)!, parse.GetValue(gatewayPort), parse.GetValue(merchantPort), quiet: true), parse.GetValue(nodes), parse.GetValue(postgres)).RunAsync(ct));

try
{
    // "merchant ..." hands the rest to the merchant command line (its own --help); the sandbox's options, before or
    // after the verb, say which sandbox.
    var verb = Array.IndexOf(args, "merchant");
    if (verb >= 0)
    {
        var (sandboxOptions, merchantArgs) = SandboxOptions.Split(args[..verb], args[(verb + 1)..]);
        var options = root.Parse(sandboxOptions);
        if (options.Errors.Count > 0)
        {
            await options.InvokeAsync();
            return 2;
        }

        var target = locator.Locate(options);
        try
        {
            // Asked for only by a command that runs (not by help or a usage error); never a new sandbox.
            return await TokenPay.Merchant.Cli.MerchantCommands.RunAsync(merchantArgs, async () =>
            {
                var sandbox = await Sandbox.PrepareAsync(new DirectoryInfo(target.RequireData(invocation)), target.GatewayPort, target.MerchantPort, quiet: true);
                return sandbox.ConfigureMerchantCommands(await SandboxCommands.ClockOffsetAsync(sandbox.GatewayUrl));
            }, $"{invocation} merchant");
        }
        catch (SandboxUnreachableException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return TokenPay.Merchant.Cli.MerchantCommands.NotKnownYet;
        }
    }

    // A merchant command typed without its verb: say where it lives instead of suggesting a sandbox command.
    if (SandboxOptions.Split([], args).Merchant is [var first, ..] typed && TokenPay.Merchant.Cli.MerchantCommands.Verbs.Contains(first))
    {
        await Console.Error.WriteLineAsync($"'{first}' is a merchant command: {invocation} merchant {string.Join(' ', typed)}");
        return 2;
    }

    var parsed = root.Parse(args);
    // Ctrl+C waits for the stop to finish (a cluster gives its nodes 10 s, then stops PostgreSQL), not System.CommandLine's default 2 s.
    var exit = await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
    return parsed.Errors.Count > 0 ? 2 : exit;
}
catch (SandboxUnreachableException ex)
{
    // No sandbox found or reached: the same code as the merchant commands' "not reachable".
    await Console.Error.WriteLineAsync(ex.Message);
    return TokenPay.Merchant.Cli.MerchantCommands.NotKnownYet;
}
catch (Exception ex) when (ex is ClusterSetupException or SandboxRefusedException or TokenPay.Storage.StorageUnavailableException)
{
    // Something on this machine a person fixes, or the sandbox's refusal: one sentence, no stack trace.
    await Console.Error.WriteLineAsync(ex.Message);
    return TokenPay.Merchant.Cli.MerchantCommands.NotDone;
}

/// <summary>The sandbox's own options among a merchant command's arguments: accepted before or after the verb.</summary>
internal static class SandboxOptions
{
    private static readonly string[] Names = ["--data", "--gateway-port", "--merchant-port"];

    public static (string[] Sandbox, string[] Merchant) Split(string[] before, string[] after)
    {
        var sandbox = new List<string>(before);
        var merchant = new List<string>();
        for (var i = 0; i < after.Length; i++)
        {
            if (Names.Contains(after[i]) && i + 1 < after.Length)
            {
                sandbox.Add(after[i]);
                sandbox.Add(after[++i]);
            }
            else if (Names.Any(name => after[i].StartsWith(name + "=", StringComparison.Ordinal)))
            {
                sandbox.Add(after[i]);
            }
            else
            {
                merchant.Add(after[i]);
            }
        }

        return ([.. sandbox], [.. merchant]);
    }
}
