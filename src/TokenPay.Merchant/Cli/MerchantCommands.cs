using System.Globalization;
using Spectre.Console;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Wallet;

namespace TokenPay.Merchant.Cli;

/// <summary>
/// Operator commands, run against the configured database and gateway without starting the server:
/// <c>charge</c>, <c>charge-batch --file</c>, <c>wallet list</c>, <c>wallet remove</c>, <c>reconcile</c>.
/// Arguments that are not the command's own (e.g. <c>--PayerMax:BaseUrl=...</c>) are configuration.
/// </summary>
public static class MerchantCommands
{
    private static readonly string[] Verbs = ["charge", "charge-batch", "wallet", "reconcile", "hash-password"];
    private static readonly string[] Flags = ["--user", "--amount", "--currency", "--reason", "--charge-id", "--token", "--file", "--parallel"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    /// <param name="configure">Extra configuration from a host (the sandbox passes its own settings).</param>
    public static async Task<int> RunAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        if (args[0] == "hash-password")
        {
            // Read from standard input so the password stays out of the shell history and the process list.
            var password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("Type the operator password on standard input, e.g.: read -rs P && echo \"$P\" | merchant hash-password");
                return 2;
            }

            Console.WriteLine(OperatorLogin.Hash(password));
            return 0;
        }

        var (options, configuration) = Split(args);
        await using var app = await MerchantApp.CreateAsync(configuration, configure);
        var services = app.Services;
        try
        {
            switch (args[0], args.ElementAtOrDefault(1))
            {
                case ("charge", _):
                    var result = await services.GetRequiredService<ChargeService>().ChargeAsync(new ChargeRequest(
                        Required(options, "--user"), decimal.Parse(Required(options, "--amount"), CultureInfo.InvariantCulture),
                        options.GetValueOrDefault("--currency", "USD"), options.GetValueOrDefault("--reason", "Charge"),
                        options.GetValueOrDefault("--charge-id") ?? $"cli_{Guid.NewGuid():N}", options.GetValueOrDefault("--token")), CancellationToken.None);
                    AnsiConsole.MarkupLineInterpolated($"[bold]{result.Status}[/] {result.Amount} {result.Currency} order {result.OutTradeNo} {result.ResultCode} {result.ResultMsg}");
                    return result.Succeeded ? 0 : 1;

                case ("charge-batch", _):
                    return await BatchAsync(services, Required(options, "--file"), int.Parse(options.GetValueOrDefault("--parallel", "16"), CultureInfo.InvariantCulture));

                case ("wallet", "list"):
                    var wallet = services.GetRequiredService<WalletService>();
                    var user = Required(options, "--user");
                    var entries = await wallet.SyncAsync(user, CancellationToken.None);
                    var table = new Table().AddColumns("token", "brand", "card", "expiry", "status", "MIT");
                    foreach (var e in entries)
                    {
                        table.AddRow(e.PaymentTokenId, e.Brand ?? "", e.MaskedCard ?? "", e.Expiry ?? "", e.Status, e.MitAllowed ? "yes" : "no");
                    }

                    AnsiConsole.Write(table);
                    return 0;

                case ("wallet", "remove"):
                    var removed = await services.GetRequiredService<WalletService>().RemoveAsync(Required(options, "--user"), Required(options, "--token"), CancellationToken.None);
                    AnsiConsole.MarkupLine(removed ? "Removed." : "No such card for this user.");
                    return removed ? 0 : 1;

                case ("reconcile", _):
                    var summary = await services.GetRequiredService<Reconciler>().ReconcileAsync(CancellationToken.None);
                    AnsiConsole.MarkupLineInterpolated($"checked {summary.Checked}, settled {summary.Settled}, still open {summary.StillOpen}");
                    return 0;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return 2;
        }

        AnsiConsole.MarkupLine("usage: charge --user U --amount 5.00 [--currency USD] [--reason R] [--charge-id ID] | charge-batch --file F.csv [--parallel 16] | wallet list --user U | wallet remove --user U --token T | reconcile");
        return 2;
    }

    private static async Task<int> BatchAsync(IServiceProvider services, string file, int parallelism)
    {
        var requests = ChargeBatch.ReadCsv(file);
        BatchSummary summary = null!;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"{requests.Count} charges", maxValue: requests.Count);
                summary = await services.GetRequiredService<ChargeBatch>().RunAsync(requests, parallelism, () => task.Increment(1), CancellationToken.None);
            });

        var table = new Table().AddColumns("outcome", "charges");
        table.AddRow("succeeded", summary.Succeeded.ToString(CultureInfo.InvariantCulture));
        table.AddRow("declined", summary.Declined.ToString(CultureInfo.InvariantCulture));
        table.AddRow("refused", summary.Refused.ToString(CultureInfo.InvariantCulture));
        table.AddRow("unknown (to reconcile)", summary.Unknown.ToString(CultureInfo.InvariantCulture));
        table.AddRow("[bold]total[/]", summary.Total.ToString(CultureInfo.InvariantCulture));
        foreach (var (currency, amount) in summary.ChargedByCurrency)
        {
            table.AddRow($"charged {currency}", amount.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var (code, count) in summary.DeclineCodes)
        {
            table.AddRow($"  {code}", count.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        return summary.Unknown == 0 ? 0 : 1;
    }

    private static (Dictionary<string, string> Options, string[] Configuration) Split(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = new List<string>();
        for (var i = args[0] == "wallet" ? 2 : 1; i < args.Length; i++)
        {
            if (Flags.Contains(args[i]) && i + 1 < args.Length)
            {
                options[args[i]] = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (options, [.. rest]);
    }

    private static string Required(Dictionary<string, string> options, string flag) =>
        options.TryGetValue(flag, out var value) ? value : throw new ArgumentException($"{flag} is required.");
}
