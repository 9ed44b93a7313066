using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TokenPay.Merchant.Disputes;
using TokenPay.Merchant.Storage;

namespace TokenPay.Merchant.Cli;

/// <summary><c>disputes list</c>, <c>disputes show</c>, <c>disputes reply</c> and <c>disputes sync</c>: the dispute inbox (docs/disputes.md).</summary>
public static partial class MerchantCommands
{
    private static Command DisputesCommand(WithServices withServices) =>
        new("disputes", "Dispute cases (chargebacks): list them, show one, answer one with evidence, or read new ones from the gateway.")
        {
            DisputesListCommand(withServices), DisputesShowCommand(withServices), DisputesReplyCommand(withServices), DisputesSyncCommand(withServices),
        };

    private static Command DisputesListCommand(WithServices withServices)
    {
        var status = new Option<string>("--status") { Description = "open (raised or answered), closed (ruled, closed or cancelled) or all.", DefaultValueFactory = _ => "all" };
        status.AcceptOnlyFromAmong("open", "closed", "all");
        var json = JsonFlag();
        var list = new Command("list", "Show the newest 100 dispute cases, with what each lost one cost (amount + fee). Example: disputes list --status open") { status, json };
        list.SetAction((parse, ct) => withServices(async services =>
        {
            var filter = parse.GetValue(status) switch { "open" => new DisputeFilter(Open: true), "closed" => new DisputeFilter(Open: false), _ => new DisputeFilter() };
            var cases = await services.GetRequiredService<DisputeService>().ListAsync(filter, 100, ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(cases, Json));
                return Ok;
            }

            var table = new Table().AddColumns("Case", "Status", "Reason", "Order", "Disputed", "Answer by (UTC)", "Lost: cost");
            foreach (var c in cases)
            {
                table.AddRow(c.CaseId, StatusText(c), c.ReasonCategory, c.OutTradeNo, Money(c.Amount, c.Currency), c.CanAnswer ? c.ExpirationDate : "", LostCostText(c));
            }

            AnsiConsole.Write(table);
            AnsiConsole.WriteLine(cases.Count == 0 ? "No dispute cases." : $"{cases.Count} case(s), {cases.Count(c => c.LostCost is not null)} lost.");
            return Ok;
        }));
        return list;
    }

    private static Command DisputesShowCommand(WithServices withServices)
    {
        var caseId = new Option<string>("--case") { Description = "The case id (D...), as disputes list shows it.", Required = true };
        var refresh = new Option<bool>("--refresh") { Description = "Read the case from the gateway first (caseSearch)." };
        var json = JsonFlag();
        var show = new Command("show", "Show one dispute case: the disputed payment, the card, the timeline, the deadline, the answer, and what it cost if lost. Example: disputes show --case D2026120700000001")
        {
            caseId, refresh, json,
        };
        show.SetAction((parse, ct) => withServices(async services =>
        {
            var disputes = services.GetRequiredService<DisputeService>();
            var id = parse.GetValue(caseId)!;
            var details = parse.GetValue(refresh) ? await disputes.RefreshAsync(id, ct) : await disputes.DetailsAsync(id, ct);
            if (details is null)
            {
                AnsiConsole.WriteLine($"No dispute case {id}.");
                return NotDone;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(details, Json));
            }
            else
            {
                WriteDispute(details);
            }

            return Ok;
        }));
        return show;
    }

    private static Command DisputesReplyCommand(WithServices withServices)
    {
        var caseId = new Option<string>("--case") { Description = "The case to answer (D...).", Required = true };
        var text = new Option<string>("--text") { Description = "Your answer in words, at most 256 characters (quote it).", Required = true };
        var files = new Option<string[]>("--file") { Description = "An https link to an evidence file (png, jpg, jpeg, pdf, zip, doc, docx, xls, xlsx); repeat --file for each, at most 10.", AllowMultipleArgumentsPerToken = false };
        var json = JsonFlag();
        var reply = new Command("reply",
            "Answer a DISPUTE_INQUIRY case before the end of its expiration date (UTC); sending the same answer again is safe. " +
            "Example: disputes reply --case D2026120700000001 --text \"Delivered on 2026-11-20, signed for\" --file https://shop.example/pod.pdf --file https://shop.example/invoice.pdf")
        {
            caseId, text, files, json,
        };
        reply.SetAction((parse, ct) =>
        {
            var (id, words, links) = (parse.GetValue(caseId)!, parse.GetValue(text)!, parse.GetValue(files) ?? []);
            // Checked before the service is built: a usage error touches no database and no gateway.
            return DisputeService.Check(words, links) is var (field, problem)
                ? Task.FromResult(UsageError($"--{(field == "responseContent" ? "text" : "file")}: {problem}"))
                : withServices(services => ReplyAsync(services, id, words, links, parse.GetValue(json), ct));
        });
        return reply;
    }

    private static Command DisputesSyncCommand(WithServices withServices)
    {
        var sync = new Command("sync", "Read the dispute cases that changed since the last look from the gateway (caseList; the server does this every Merchant:DisputeSyncInterval).");
        sync.SetAction((parse, ct) => withServices(async services =>
        {
            var summary = await services.GetRequiredService<DisputeSync>().SyncAsync(ct);
            AnsiConsole.WriteLine(summary.Refused is { } code ? $"The gateway refused caseList ({code}); {summary.Read} case(s) read before." : $"{summary.Read} case(s) read, {summary.Changed} new or moved on.");
            return summary.Refused is null ? Ok : NotDone;
        }));
        return sync;
    }

    private static readonly Dictionary<DisputeReplyOutcome, string> ReplyWords = new()
    {
        [DisputeReplyOutcome.Taken] = "Answered:",
        [DisputeReplyOutcome.NotFound] = "Not found:",
        [DisputeReplyOutcome.Invalid] = "Not sent:",
        [DisputeReplyOutcome.Refused] = "Refused:",
        [DisputeReplyOutcome.Unknown] = "Not known yet:",
    };

    private static async Task<int> ReplyAsync(IServiceProvider services, string caseId, string text, string[] files, bool json, CancellationToken cancellationToken)
    {
        var reply = await services.GetRequiredService<DisputeService>().ReplyAsync(caseId, text, files, cancellationToken);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(reply, Json));
        }
        else
        {
            AnsiConsole.MarkupLine($"[bold]{ReplyWords[reply.Outcome]}[/] {Markup.Escape(reply.Message)}");
        }

        return reply.Outcome switch
        {
            DisputeReplyOutcome.Taken => Ok,
            DisputeReplyOutcome.Invalid => Usage,
            DisputeReplyOutcome.Unknown => NotKnownYet,
            _ => NotDone,
        };
    }

    private static void WriteDispute(DisputeDetails details)
    {
        var c = details.Case;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(StatusText(c))}[/] case {Markup.Escape(c.CaseId)}: {Markup.Escape(c.ReasonCategory)} ({Markup.Escape(c.ReasonCode)} {Markup.Escape(c.ReasonMessage)})");
        AnsiConsole.WriteLine($"Disputed {Money(c.Amount, c.Currency)} + fee {Money(c.Fee, c.Currency)} of order {c.OutTradeNo} for {c.UserId}; raised {c.RetrievalDate}.");
        AnsiConsole.WriteLine(c.LostCost is { } cost ? $"Lost: it cost {Money(cost, c.Currency)} (amount + fee)."
            : c.CanAnswer ? $"Answer by the end of {c.ExpirationDate} (UTC): disputes reply --case {c.CaseId} --text \"...\" --file https://..."
            : "It can no longer be answered.");
        if (details.Charge is { } charge)
        {
            AnsiConsole.WriteLine($"Payment: {charge.Kind} {charge.OutTradeNo}{(charge.ChargeId is { } id ? $" (charge id {id})" : "")}, {Money(charge.Amount, charge.Currency)}, {charge.Status}.");
        }

        if (details.Card is { } card)
        {
            AnsiConsole.WriteLine($"Card: {card.Brand} {card.MaskedCard} ({card.PaymentTokenId}), {card.Status}{(card.FraudCaseId is null ? "" : ", no charges without the customer")}.");
        }

        foreach (var step in details.Timeline)
        {
            AnsiConsole.WriteLine($"  {step.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}  {step.Status}");
        }

        if (details.AnswerContent is { } answer)
        {
            AnsiConsole.WriteLine($"Answered: {answer}");
            foreach (var file in details.AnswerFiles)
            {
                AnsiConsole.WriteLine($"  {file}");
            }
        }
    }

    private static string StatusText(DisputeSummary c) => c.CaseResult is { } result ? $"{c.Status} ({result})" : c.Status;

    private static string LostCostText(DisputeSummary c) => c.LostCost is { } cost ? Money(cost, c.Currency) : "";

    private static string Money(decimal amount, string currency) => $"{amount.ToString(CultureInfo.InvariantCulture)} {currency}";
}
