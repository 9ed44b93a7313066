// The sandbox: `dotnet run --project src/TokenPay.Sandbox` starts a gateway and the demo merchant on
// 127.0.0.1 with SQLite files and freshly generated keys under ./sandbox-data (kept across restarts).
// `dotnet run --project src/TokenPay.Sandbox -- merchant <command>` runs a merchant command
// (charge, charge-batch, wallet, reconcile) against the sandbox's merchant. `-- cluster` runs the gateway as
// three processes on a local PostgreSQL behind one front door. `clock`, `faults`, `listen`, `logs tail` and
// `trigger` drive a running sandbox (docs/sandbox.md). `--help` lists the flags.
using System.CommandLine;
using TokenPay.Sandbox;

var data = new Option<DirectoryInfo>("--data") { Description = "Where keys and SQLite files are kept (made on first run, reused after).", DefaultValueFactory = _ => new DirectoryInfo("sandbox-data"), Recursive = true };
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
var merchant = new Command("merchant", "Run a merchant command against the sandbox's merchant: charge, charge-batch, wallet list|remove, reconcile (merchant --help lists them).");

var root = new RootCommand("TokenPay sandbox: a gateway and the demo merchant on 127.0.0.1, with generated keys kept under --data. Stop with Ctrl+C.")
{
    data, gatewayPort, merchantPort, quiet, merchant, cluster,
};
foreach (var command in new SandboxCommands(data, gatewayPort).Create())
{
    root.Subcommands.Add(command);
}

root.SetAction(async (parse, ct) => await (await Sandbox.PrepareAsync(parse.GetValue(data)!, parse.GetValue(gatewayPort), parse.GetValue(merchantPort), parse.GetValue(quiet))).RunAsync(ct));
cluster.SetAction(async (parse, ct) =>
    await new Cluster(await Sandbox.PrepareAsync(parse.GetValue(data)!, parse.GetValue(gatewayPort), parse.GetValue(merchantPort), quiet: true), parse.GetValue(nodes), parse.GetValue(postgres)).RunAsync(ct));

// "merchant ..." hands everything after the verb to the merchant command line (its own --help); the sandbox's
// options before the verb say which sandbox.
var verb = Array.IndexOf(args, "merchant");
if (verb >= 0)
{
    var options = root.Parse(args[..verb]);
    if (options.Errors.Count > 0)
    {
        await options.InvokeAsync();
        return 2;
    }

    var sandbox = await Sandbox.PrepareAsync(options.GetValue(data)!, options.GetValue(gatewayPort), options.GetValue(merchantPort), quiet: true);
    try
    {
        return await TokenPay.Merchant.Cli.MerchantCommands.RunAsync(args[(verb + 1)..], sandbox.ConfigureMerchant, "sandbox merchant");
    }
    catch (TokenPay.Storage.StorageUnavailableException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message);
        return 1;
    }
}

var parsed = root.Parse(args);
try
{
    // Ctrl+C waits for the stop to finish (a cluster gives its nodes 10 s, then stops PostgreSQL), not System.CommandLine's default 2 s.
    var exit = await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
    return parsed.Errors.Count > 0 ? 2 : exit;
}
catch (Exception ex) when (ex is ClusterSetupException or SandboxUnreachableException or TokenPay.Storage.StorageUnavailableException)
{
    // Something on this machine a person fixes: one sentence, no stack trace.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
