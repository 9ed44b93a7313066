using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Spectre.Console;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Cli;

/// <summary>
/// The merchant's command line, run against the configured database and gateway without starting the server:
/// <c>charge</c>, <c>charge-batch</c>, <c>wallet list</c>, <c>wallet remove</c>, <c>reconcile</c>, <c>disputes</c>, <c>hash-password</c>.
/// Arguments that look like configuration keys (<c>--PayerMax:BaseUrl=...</c>) are configuration.
/// Exit codes (<see cref="ExitCodes"/>): 0 done, 1 refused or declined, 2 a usage error, 3 not known yet.
/// </summary>
public static partial class MerchantCommands
{
    public const int Ok = 0;
    public const int NotDone = 1;
    public const int Usage = 2;
    public const int NotKnownYet = 3;

    /// <summary>The exit codes as help and docs/sandbox.md state them.</summary>
    public const string ExitCodes = "Exit codes: 0 done; 1 refused or declined (a charge, a refund, any line of a batch) or not found; 2 usage error; " +
        "3 not known yet (an outcome the gateway has not settled, or the sandbox, database or gateway could not be reached): run the same command again or reconcile.";

    /// <summary>The commands' names (the sandbox points a person who typed one without <c>merchant</c> to it).</summary>
    public static readonly string[] Verbs = ["charge", "charge-status", "retry", "charge-batch", "refund", "wallet", "reconcile", "disputes", "hash-password"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="host">
    /// Extra configuration from a host (the sandbox's settings), asked for only when a command runs; settings given on
    /// the command line win over it.
    /// </param>
    /// <param name="invocation">The command as a person types it, shown in help (<c>tokenpay merchant</c>).</param>
    public static async Task<int> RunAsync(string[] args, Func<Task<Action<WebApplicationBuilder>>>? host = null, string? invocation = null)
    {
        var configure = host ?? (() => Task.FromResult<Action<WebApplicationBuilder>>(_ => { }));
        CommandLineStyle.PlainWhenRedirected();
        var (commandLine, configuration) = SplitConfiguration(args);
        var root = Build(configuration, configure);
        CommandLineStyle.UseInvocation(root, invocation ?? CommandLineStyle.Invocation("src/TokenPay.Merchant"));
        var parsed = root.Parse(commandLine);
        // The host's exceptions (no sandbox found) reach the caller, which says so in one sentence.
        var exit = await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        // Parse errors (unknown verbs and flags, with suggestions) are printed by System.CommandLine; they are usage errors.
        return parsed.Errors.Count > 0 ? Usage : exit;
    }

    // Runs a command's work against the service built from this invocation's configuration (see WithServicesAsync).
    private delegate Task<int> WithServices(Func<IServiceProvider, Task<int>> run);

    private static RootCommand Build(string[] configuration, Func<Task<Action<WebApplicationBuilder>>> configure)
    {
        WithServices withServices = run => WithServicesAsync(configuration, configure, run);
        return new RootCommand($"TokenPay merchant service commands. {ExitCodes} " +
            "Configuration keys may be passed too and win over the defaults, e.g. --PayerMax:BaseUrl=http://127.0.0.1:5080.")
        {
            ChargeCommand(withServices), ChargeStatusCommand(withServices), RetryCommand(withServices), ChargeBatchCommand(withServices),
            RefundCommand(withServices), WalletCommand(withServices), ReconcileCommand(withServices), DisputesCommand(withServices), HashPasswordCommand(),
        };
    }

    private static Option<bool> JsonFlag() => new("--json") { Description = "Print the result as JSON." };

    private static Command ChargeCommand(WithServices withServices)
    {
        var user = new Option<string>("--user") { Description = "The customer's user id.", Required = true };
        var amount = new Option<decimal>("--amount") { Description = "Amount in major units, e.g. 5.00.", Required = true, CustomParser = ParseAmount };
        var currency = new Option<string>("--currency") { Description = "ISO 4217 currency code.", DefaultValueFactory = _ => "USD" };
        var reason = new Option<string>("--reason") { Description = "What the charge is for (the order subject).", DefaultValueFactory = _ => "Charge" };
        var chargeId = new Option<string>("--charge-id") { Description = "Your idempotency key: the same id never charges twice; reused with other parameters it is refused.", Required = true };
        var token = new Option<string?>("--token") { Description = "The saved card to charge (paymentTokenID); default: the user's most recent card that allows merchant-initiated charges." };
        var json = JsonFlag();
        var charge = new Command("charge", "Charge a customer's saved card without the customer (an unscheduled merchant-initiated payment).") { user, amount, currency, reason, chargeId, token, json };
        charge.SetAction((parse, ct) =>
        {
            var request = new ChargeRequest(parse.GetValue(user)!, parse.GetValue(amount), parse.GetValue(currency)!, parse.GetValue(reason)!, parse.GetValue(chargeId)!, parse.GetValue(token));
            // Checked before the service is built: a usage error touches no database and no gateway.
            return ChargeService.Check(request) is { } problem
                ? Task.FromResult(UsageError(problem))
                : withServices(services => ChargeAsync(services, request, parse.GetValue(json), ct));
        });
        return charge;
    }

    private static Command ChargeStatusCommand(WithServices withServices)
    {
        var chargeId = new Option<string>("--charge-id") { Description = "The charge's idempotency key.", Required = true };
        var json = JsonFlag();
        var status = new Command("charge-status", "Show a charge's attempts, the network's advice on each decline, and the next retry.") { chargeId, json };
        status.SetAction((parse, ct) => withServices(services => ChargeStatusAsync(services, parse.GetValue(chargeId)!, parse.GetValue(json), ct)));
        return status;
    }

    private static Command RetryCommand(WithServices withServices)
    {
        var retry = new Command("retry", "Send the retries of declined charges that are due now (the server does this every Merchant:SmartRetries:PollInterval).");
        retry.SetAction((parse, ct) => withServices(async services =>
        {
            var summary = await services.GetRequiredService<ChargeRetrier>().RunDueAsync(ct);
            AnsiConsole.WriteLine($"{summary.Sent} retries sent: {summary.Succeeded} succeeded, {summary.Declined} declined.");
            return summary.Declined == 0 ? Ok : NotDone;
        }));
        return retry;
    }

    private static Command ChargeBatchCommand(WithServices withServices)
    {
        var file = new Option<FileInfo>("--file") { Description = $"CSV file of charges: {ChargeBatch.Columns} (RFC 4180 quoting; an optional header line).", Required = true };
        var parallel = new Option<int>("--parallel") { Description = "Charges sent at once.", DefaultValueFactory = _ => 16 };
        parallel.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 256)
            {
                result.AddError("--parallel must be between 1 and 256.");
            }
        });
        var output = new Option<FileInfo?>("--out") { Description = "Also write one result per charge to this CSV file." };
        var json = JsonFlag();
        var batch = new Command("charge-batch", "Run the charges of a CSV file; safe to run again (each line's chargeId charges once).") { file, parallel, output, json };
        batch.SetAction((parse, ct) =>
        {
            // The file is read and checked before the service is built: a bad file touches no database and no gateway.
            var lines = ReadBatch(parse.GetValue(file)!);
            return lines is null
                ? Task.FromResult(Usage)
                : withServices(services => BatchAsync(services, lines, parse.GetValue(parallel), parse.GetValue(output), parse.GetValue(json), ct));
        });
        return batch;
    }

    private static Command RefundCommand(WithServices withServices)
    {
        var payment = new Option<string>("--payment") { Description = "The payment to refund (its outTradeNo).", Required = true };
        var amount = new Option<decimal>("--amount") { Description = "Amount to give back in major units, e.g. 2.50 (at most what is left of the payment).", Required = true, CustomParser = ParseAmount };
        var refundId = new Option<string>("--refund-id") { Description = "Your idempotency key: the same id never refunds twice; reused with other parameters it is refused.", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (sent to the gateway as comments)." };
        var json = JsonFlag();
        var refund = new Command("refund", "Give a payment back, in full or in part.") { payment, amount, refundId, reason, json };
        refund.SetAction((parse, ct) =>
        {
            var request = new RefundOrder(parse.GetValue(payment)!, parse.GetValue(amount), parse.GetValue(refundId)!, parse.GetValue(reason));
            return RefundService.Check(request) is { } problem
                ? Task.FromResult(UsageError(problem))
                : withServices(services => RefundAsync(services, request, parse.GetValue(json), ct));
        });
        return refund;
    }

    private static Command WalletCommand(WithServices withServices)
    {
        var listUser = new Option<string>("--user") { Description = "The customer's user id.", Required = true };
        var json = JsonFlag();
        var list = new Command("list", "Show a customer's saved cards, refreshed from the gateway.") { listUser, json };
        list.SetAction((parse, ct) => withServices(services => ListAsync(services, parse.GetValue(listUser)!, parse.GetValue(json), ct)));
        var removeUser = new Option<string>("--user") { Description = "The customer's user id.", Required = true };
        var removeToken = new Option<string>("--token") { Description = "The saved card (paymentTokenID).", Required = true };
        var remove = new Command("remove", "Remove a saved card; it can no longer be charged.") { removeUser, removeToken };
        remove.SetAction((parse, ct) => withServices(services => RemoveAsync(services, parse.GetValue(removeUser)!, parse.GetValue(removeToken)!, ct)));
        return new Command("wallet", "Customers' saved cards.") { list, remove };
    }

    private static Command ReconcileCommand(WithServices withServices)
    {
        var reconcile = new Command("reconcile", "Settle payments whose outcome is still open, by asking the gateway.");
        reconcile.SetAction((parse, ct) => withServices(services => ReconcileAsync(services, ct)));
        return reconcile;
    }

    private static Command HashPasswordCommand()
    {
        var hash = new Command("hash-password", "Read a password on standard input and print the hash for Merchant:Operator:PasswordHash.");
        hash.SetAction(_ => HashPassword());
        return hash;
    }

    private static decimal ParseAmount(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"--amount must be a number such as 5.00 (got '{text}').");
        return 0;
    }

    private static async Task<int> ChargeAsync(IServiceProvider services, ChargeRequest request, bool json, CancellationToken cancellationToken)
    {
        var charges = services.GetRequiredService<ChargeService>();
        if (await charges.CheckCardAsync(request, cancellationToken) is { } problem)
        {
            return UsageError(problem);
        }

        var result = await charges.ChargeAsync(request, cancellationToken);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, Json));
        }
        else
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(result.Status)}[/] {Markup.Escape(result.Sentence)}");
            AnsiConsole.WriteLine($"order {result.OutTradeNo}, charge id {result.ChargeId}, attempt {result.Attempt}{(result.Replayed ? " (a replay: the recorded result of this charge id, nothing was charged again)" : "")}");
            if (result.RetryNote is { } note)
            {
                AnsiConsole.WriteLine(note);
            }
        }

        return Outcome(result.Status);
    }

    private static int Outcome(string status) => status switch
    {
        PaymentStatuses.Success => Ok,
        PaymentStatuses.Created or PaymentStatuses.Pending => NotKnownYet,
        _ => NotDone,
    };

    private static async Task<int> ChargeStatusAsync(IServiceProvider services, string chargeId, bool json, CancellationToken cancellationToken)
    {
        if (await services.GetRequiredService<ChargeService>().HistoryAsync(chargeId, cancellationToken) is not { } history)
        {
            AnsiConsole.WriteLine($"No charge with charge id {chargeId}.");
            return NotDone;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(history, Json));
            return Outcome(history.Status);
        }

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(history.Status)}[/] charge {Markup.Escape(chargeId)}: {history.Amount} {history.Currency} for {Markup.Escape(history.UserId)}");
        var table = new Table().AddColumns("Attempt", "Order", "Status", "Code", "Advice", "When (UTC)");
        foreach (var a in history.Attempts)
        {
            var advice = a.AdviceCategory is null && a.MerchantAdviceCode is null ? "" : $"category {a.AdviceCategory?.ToString(CultureInfo.InvariantCulture) ?? "-"}, MAC {a.MerchantAdviceCode ?? "-"}";
            table.AddRow(a.Attempt.ToString(CultureInfo.InvariantCulture), a.OutTradeNo, a.Status, a.ResultCode ?? "", advice, a.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(history.RetryNote ?? "No retry planned.");
        return Outcome(history.Status);
    }

    private static async Task<int> RefundAsync(IServiceProvider services, RefundOrder request, bool json, CancellationToken cancellationToken)
    {
        var result = await services.GetRequiredService<RefundService>().RefundAsync(request, cancellationToken);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, Json));
        }
        else
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(result.Status)}[/] {Markup.Escape(result.Sentence)}");
            AnsiConsole.WriteLine($"refund {result.OutRefundNo} of payment {result.Payment}, refund id {result.RefundId}{(result.Replayed ? " (a replay: the recorded result of this refund id, nothing was sent again)" : "")}");
        }

        return result.Status is RefundStates.Success or RefundStates.Pending ? Ok : NotDone;
    }

    /// <summary>The charges of a batch file, or null (after saying why) when it is missing or any line is not a charge.</summary>
    private static IReadOnlyList<BatchLine>? ReadBatch(FileInfo file)
    {
        if (!file.Exists)
        {
            UsageError($"--file: {file.FullName} does not exist.");
            return null;
        }

        using var text = file.OpenText();
        var (lines, problems) = ChargeBatch.ReadCsv(text);
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"{file.Name} line {problem.Line}: {problem.Reason}");
        }

        if (problems.Count > 0)
        {
            UsageError($"{problems.Count} line(s) of {file.Name} are not charges; nothing was charged. Fix them and run again.");
            return null;
        }

        return lines;
    }

    private static async Task<int> BatchAsync(IServiceProvider services, IReadOnlyList<BatchLine> lines, int parallelism, FileInfo? output, bool json, CancellationToken cancellationToken)
    {
        var requests = lines.Select(l => l.Request).ToList();
        var batch = services.GetRequiredService<ChargeBatch>();
        BatchRun run;
        // A progress bar is for a person watching; a pipe gets the summary only.
        if (json || Console.IsOutputRedirected)
        {
            run = await batch.RunAsync(requests, parallelism, null, cancellationToken);
        }
        else
        {
            BatchRun? done = null;
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask($"{requests.Count} charges", maxValue: requests.Count);
                    done = await batch.RunAsync(requests, parallelism, () => task.Increment(1), cancellationToken);
                });
            run = done!;
        }

        if (output is not null)
        {
            await using var csv = CsvWriter.ToFile(output.FullName, new CsvWriterOptions { Injection = CsvInjection.Escape }, FileOptions.None);
            csv.WriteRecord(["line", "chargeId", "userId", "amount", "currency", "status", "resultCode", "resultMsg", "outTradeNo", "replayed"]);
            foreach (var (line, result) in lines.Zip(run.Results))
            {
                csv.WriteRecord([line.Line.ToString(CultureInfo.InvariantCulture), result.ChargeId, line.Request.UserId, result.Amount.ToString(CultureInfo.InvariantCulture), result.Currency,
                    result.Status, result.ResultCode ?? "", result.ResultMsg ?? "", result.OutTradeNo, result.Replayed ? "true" : "false"]);
            }
        }

        var summary = run.Summary;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { summary, results = run.Results }, Json));
        }
        else
        {
            var table = new Table().AddColumns("outcome", "charges");
            table.AddRow("succeeded", summary.Succeeded.ToString(CultureInfo.InvariantCulture));
            table.AddRow("declined", summary.Declined.ToString(CultureInfo.InvariantCulture));
            table.AddRow("refused", summary.Refused.ToString(CultureInfo.InvariantCulture));
            table.AddRow("unknown (to reconcile)", summary.Unknown.ToString(CultureInfo.InvariantCulture));
            table.AddRow("[bold]total[/]", summary.Total.ToString(CultureInfo.InvariantCulture));
            foreach (var (code, total) in summary.ChargedByCurrency)
            {
                table.AddRow($"charged {Markup.Escape(code)}", total.ToString(CultureInfo.InvariantCulture));
            }

            foreach (var (code, count) in summary.DeclineCodes)
            {
                table.AddRow($"  {Markup.Escape(code)}", count.ToString(CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
        }

        // Any line not known yet outranks a refused one: running the batch again settles it and charges nothing twice.
        return summary.Unknown > 0 ? NotKnownYet : summary.Succeeded == summary.Total ? Ok : NotDone;
    }

    private static async Task<int> ListAsync(IServiceProvider services, string user, bool json, CancellationToken cancellationToken)
    {
        var entries = await services.GetRequiredService<WalletService>().SyncAsync(user, cancellationToken);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(entries.Select(e => e with { Expiry = CardExpiry.Format(e.Expiry) }), Json));
            return Ok;
        }

        if (entries.Count == 0)
        {
            AnsiConsole.WriteLine($"{user} has no saved cards.");
            return Ok;
        }

        var table = new Table().AddColumns("token", "brand", "card", "expiry", "status", "MIT");
        foreach (var e in entries)
        {
            table.AddRow(Markup.Escape(e.PaymentTokenId), Markup.Escape(e.Brand ?? ""), Markup.Escape(e.MaskedCard ?? ""), Markup.Escape(CardExpiry.Format(e.Expiry)), Markup.Escape(e.Status), e.MitAllowed && e.Status == TokenStatuses.Activated ? "yes" : "no");
        }

        AnsiConsole.Write(table);
        return Ok;
    }

    private static async Task<int> RemoveAsync(IServiceProvider services, string user, string token, CancellationToken cancellationToken)
    {
        var wallet = services.GetRequiredService<WalletService>();
        var entry = await wallet.FindAsync(token, cancellationToken);
        if (entry is null || entry.UserId != user)
        {
            AnsiConsole.WriteLine($"{user} has no saved card {token}.");
            return NotDone;
        }

        if (entry.Status == TokenStatuses.Deleted)
        {
            AnsiConsole.WriteLine($"{entry.Brand} {entry.MaskedCard} was already removed; nothing to do.");
            return Ok;
        }

        await wallet.RemoveAsync(user, token, cancellationToken);
        AnsiConsole.WriteLine($"Removed {entry.Brand} {entry.MaskedCard}; it can no longer be charged.");
        return Ok;
    }

    private static async Task<int> ReconcileAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var summary = await services.GetRequiredService<Reconciler>().ReconcileAsync(cancellationToken);
        AnsiConsole.WriteLine($"checked {summary.Checked}, settled {summary.Settled}, still open {summary.StillOpen}");
        return summary.StillOpen == 0 ? Ok : NotKnownYet;
    }

    private static int HashPassword()
    {
        // Read from standard input so the password stays out of the shell history and the process list.
        var password = Console.In.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            return UsageError("Type the operator password on standard input, e.g.: read -rs P && echo \"$P\" | merchant hash-password");
        }

        Console.WriteLine(OperatorLogin.Hash(password));
        return Ok;
    }

    // The service is built only for a command that needs it, after its arguments were parsed and checked.
    private static async Task<int> WithServicesAsync(string[] configuration, Func<Task<Action<WebApplicationBuilder>>> host, Func<IServiceProvider, Task<int>> run)
    {
        var configure = await host();
        try
        {
            await using var app = await MerchantApp.CreateAsync(configuration, builder =>
            {
                configure(builder);
                // Added last so --Section:Key=value wins over the host's defaults (the sandbox's database, gateway and keys).
                builder.Configuration.AddCommandLine(configuration);
            });
            // A command does not start the host, so it makes the checks the server makes at start itself.
            app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
            return await run(app.Services);
        }
        catch (Exception ex) when (ex is TokenPay.Client.PayerMaxException or HttpRequestException or IOException)
        {
            Console.Error.WriteLine($"Could not complete the command: {ex.Message}");
            return NotKnownYet;
        }
        catch (Exception ex) when (ex is TokenPay.Storage.StorageUnavailableException)
        {
            Console.Error.WriteLine(ex.Message);
            return NotKnownYet;
        }
        catch (Exception ex) when (MerchantApp.WrongSettings(ex) is { } wrong)
        {
            return UsageError(wrong);
        }
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine(message);
        return Usage;
    }

    // A request's field problem, named by the flag a person typed.
    private static int UsageError(FieldProblem problem) => UsageError($"--{Flag(problem.Field)}: {problem.Message}");

    private static string Flag(string field) => field switch
    {
        "userId" => "user",
        "chargeId" => "charge-id",
        "refundId" => "refund-id",
        "paymentTokenId" => "token",
        var other => other,
    };

    // "--Section:Key=value" and "--Section:Key value" are configuration, as ASP.NET Core reads them.
    private static (string[] CommandLine, string[] Configuration) SplitConfiguration(string[] args)
    {
        var commandLine = new List<string>();
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal))
            {
                configuration.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    configuration.Add(args[++i]);
                }
            }
            else
            {
                commandLine.Add(args[i]);
            }
        }

        return ([.. commandLine], [.. configuration]);
    }
}
