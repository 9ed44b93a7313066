using System.Globalization;
using TokenPay.Merchant.Disputes;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol.Models;
using static TokenPay.Merchant.Shop.ShopLayout;

namespace TokenPay.Merchant.Shop;

/// <summary>The operator's dispute pages: the cases, and a case with its payment, card, timeline and deadline, answered from its page.</summary>
internal static partial class OperatorPages
{
    private static void MapDisputePages(RouteGroupBuilder signedIn, RouteGroupBuilder actions)
    {
        signedIn.MapGet("/disputes", DisputesAsync);
        signedIn.MapGet("/disputes/{caseId}", (HttpContext http, string caseId, CancellationToken ct) => DisputePageAsync(http, caseId, null, null, null, StatusCodes.Status200OK, ct));
        actions.MapPost("/disputes/{caseId}/reply", ReplyToDisputeAsync);
    }

    private static async Task<IResult> DisputesAsync(HttpContext http, string? status, string? older, DisputeService disputes, CancellationToken ct)
    {
        var open = Blank(status) switch { "open" => true, "closed" => (bool?)false, _ => null };
        var problem = Blank(status) is { } s && s is not ("open" or "closed") ? new FieldProblem("status", "Choose open or closed from the list.")
            : Blank(older) is not null && PageMark.Parse(older) is null ? new FieldProblem("older", "This link to older cases is broken; start from the newest.")
            : null;
        var rows = problem is null ? await disputes.ListAsync(new DisputeFilter(open, PageMark.Parse(older)), PageSize + 1, ct) : [];
        var more = rows.Count > PageSize
            ? $"""<p><a id="older" href="/shop/operator/disputes{Query(("status", Blank(status)), ("older", new PageMark(rows[PageSize - 1].RecordedAt.ToUnixTimeMilliseconds(), rows[PageSize - 1].CaseId).Text))}">Older cases</a></p>"""
            : "";
        var choices = new Dictionary<string, string> { ["open"] = "open (to answer or waiting for the issuer)", ["closed"] = "closed (ruled, closed or cancelled)" };
        return OperatorPage(http, "Disputes", $"""
            <h1>Disputes</h1><p class="muted">Chargebacks the cardholders raised, newest first. A lost case costs its amount and the fee.</p>
            <form method="get" action="/shop/operator/disputes" id="dispute-filters">
              {FormProblem(problem, "status")}
              {Select("Status", "status", "filter-status", choices, Blank(status), problem)}
              <button type="submit" id="filter">Show</button>
            </form>
            {(problem is null ? DisputeTable(rows.Take(PageSize)) : "")}{more}
            """, problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static string DisputeTable(IEnumerable<DisputeSummary> cases)
    {
        var rows = string.Concat(cases.Select(c => $"""
            <tr data-case="{E(c.CaseId)}" data-status="{E(c.Status)}"><td class="{UserClass(c.CaseId)}"><a href="/shop/operator/disputes/{E(Uri.EscapeDataString(c.CaseId))}">{E(c.CaseId)}</a></td>
            <td class="word">{E(DisputeWords(c))}</td><td class="word">{E(ReasonWords(c.ReasonCategory))}</td><td class="word">{E(MoneyOf(c.Amount, c.Currency))}</td>
            <td>{(c.CanAnswer ? $"answer by {E(c.ExpirationDate)}" : "")}{(c.LostCost is { } cost ? $"""<span class="lost-cost">lost: cost {E(MoneyOf(cost, c.Currency))}</span>""" : "")}</td></tr>
            """));
        return rows.Length == 0
            ? """<p class="muted" id="disputes">No dispute cases.</p>"""
            : $"""<table class="list" id="disputes"><thead><tr><th>Case</th><th>Status</th><th>Reason</th><th>Disputed</th><th>Deadline or cost</th></tr></thead><tbody>{rows}</tbody></table>""";
    }

    /// <summary>A case with its payment, card, timeline and answer, and the form that answers it while it can be (with what was typed and its problem).</summary>
    private static async Task<IResult> DisputePageAsync(HttpContext http, string caseId, DisputeAnswerEntry? entry, FieldProblem? problem, string? notice, int status, CancellationToken ct)
    {
        if (await http.RequestServices.GetRequiredService<DisputeService>().DetailsAsync(caseId, ct) is not { } details)
        {
            return OperatorPage(http, "Dispute", """<h1>No such case</h1><p id="no-dispute">No dispute case has this id.</p><p><a href="/shop/operator/disputes">Disputes</a></p>""", StatusCodes.Status404NotFound);
        }

        var c = details.Case;
        var timeline = string.Concat(details.Timeline.Select(step => $"""<li data-status="{E(step.Status)}"><span class="word">{E(step.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} UTC</span> {E(StepWords(step.Status))}</li>"""));
        return OperatorPage(http, "Dispute", $"""
            <h1>Dispute <span id="dispute-status" data-status="{E(c.Status)}">{E(DisputeWords(c))}</span></h1>
            {(notice is null ? "" : $"""<p class="notice" id="reply-result" role="status">{E(notice)}</p>""")}
            {Deadline(c)}
            <table id="dispute">
              <tr><th>Case</th><td class="{UserClass(c.CaseId)}" id="case-id">{E(c.CaseId)}</td></tr>
              <tr><th>Reason</th><td>{E(ReasonWords(c.ReasonCategory))} <span class="id">({E(c.ReasonCode)} {E(c.ReasonMessage)})</span></td></tr>
              <tr><th>Disputed</th><td class="word">{E(MoneyOf(c.Amount, c.Currency))}</td></tr>
              <tr><th>Fee</th><td><span class="word">{E(MoneyOf(c.Fee, c.Currency))}</span> <span class="muted">kept only if the case is lost</span></td></tr>
              <tr><th>Raised</th><td class="word">{E(c.RetrievalDate)}</td></tr>
              <tr><th>Customer</th><td class="id"><a href="/shop/operator/customers/{E(Uri.EscapeDataString(c.UserId))}">{E(c.UserId)}</a></td></tr>
            </table>
            <h2>The disputed payment</h2>{DisputedPayment(c, details.Charge)}
            <h2>The card</h2>{DisputedCard(details.Card)}
            <h2>Timeline</h2><ol id="timeline">{timeline}</ol>
            {Answer(details)}
            {(c.CanAnswer ? ReplyForm(http, c, entry, problem) : "")}
            <p><a href="/shop/operator/disputes">All disputes</a></p>
            """, status);
    }

    private static string Deadline(DisputeSummary c) =>
        c.LostCost is { } cost ? $"""<p class="notice" id="lost-cost">Lost: this case cost {E(MoneyOf(cost, c.Currency))} ({E(MoneyOf(c.Amount, c.Currency))} taken back and a {E(MoneyOf(c.Fee, c.Currency))} fee).</p>"""
        : c.CanAnswer ? $"""<p class="notice" id="deadline">Answer by the end of {E(c.ExpirationDate)} (UTC), or the case is lost.</p>"""
        : c.Status == DisputeStatuses.Inquiry ? $"""<p class="notice" id="deadline">The answer window ended with {E(c.ExpirationDate)} (UTC).</p>"""
        : "";

    private static string DisputedPayment(DisputeSummary c, DisputedCharge? charge) => charge is null
        ? $"""<p class="muted" id="disputed-payment">Order <span class="id">{E(c.OutTradeNo)}</span> is not recorded here.</p>"""
        : $"""
            <table id="disputed-payment">
              <tr><th>Order</th><td class="id"><a href="/shop/operator/payments/{E(Uri.EscapeDataString(charge.OutTradeNo))}">{E(charge.OutTradeNo)}</a></td></tr>
              <tr><th>Kind</th><td>{E(Kinds.GetValueOrDefault(charge.Kind, charge.Kind))}</td></tr>
              <tr><th>Amount</th><td><span class="word">{E(MoneyOf(charge.Amount, charge.Currency))}</span> <span class="word">{E(PaymentWords.GetValueOrDefault(charge.Status, charge.Status))}</span></td></tr>
              {(charge.ChargeId is { } id ? $"""<tr><th>Charge</th><td class="id"><a href="/shop/operator/charges/{E(Uri.EscapeDataString(id))}">{E(id)}</a></td></tr>""" : "")}
              <tr><th>Made</th><td class="word">{E(charge.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} UTC</td></tr>
            </table>
            """;

    private static string DisputedCard(DisputedCard? card) => card is null
        ? """<p class="muted" id="disputed-card">The card is not in the wallet here.</p>"""
        : $"""
            <p id="disputed-card" data-token="{E(card.PaymentTokenId)}"><span class="word">{E(card.Brand)}</span> <span class="word masked">{E(card.MaskedCard)}</span> <span class="word">{E(CardWord(card.Status))}</span></p>
            {(card.FraudCaseId is null ? "" : $"""<p class="notice" id="card-stopped">{E(card.Attention ?? "Not charged without the customer.")}</p>""")}
            """;

    private static string Answer(DisputeDetails details) => details.AnswerContent is not { } content ? "" : $"""
        <h2>The answer</h2>
        <p id="answer">{E(content)}</p>
        {(details.AnswerFiles.Count == 0 ? "" : $"""<ul id="answer-files">{string.Concat(details.AnswerFiles.Select(f => $"""<li class="id">{E(f)}</li>"""))}</ul>""")}
        """;

    private static string ReplyForm(HttpContext http, DisputeSummary c, DisputeAnswerEntry? entry, FieldProblem? problem) => $"""
        <h2 id="reply-heading">Answer the case</h2><p class="muted">Your answer and your evidence go to the cardholder's bank, which rules about 10 days later.</p>
        <form method="post" action="/shop/operator/disputes/{E(Uri.EscapeDataString(c.CaseId))}/reply" id="reply-form" aria-labelledby="reply-heading">
          {Csrf(http)}
          {FormProblem(problem, "responseContent", "representmentFile")}
          <label>Answer (at most 256 characters)<textarea name="responseContent" id="reply-text" rows="4" maxlength="256"{Invalid(problem, "responseContent", "reply-text")}>{E(entry?.Text)}</textarea></label>{Hint(problem, "responseContent", "reply-text")}
          <label>Evidence links, one per line (https, ending in .pdf, .png, .jpg, .zip, .doc, .xls...; at most {DisputeService.MaxFiles})<textarea name="representmentFile" id="reply-files" rows="3"{Invalid(problem, "representmentFile", "reply-files")}>{E(entry?.Files)}</textarea></label>{Hint(problem, "representmentFile", "reply-files")}
          <button type="submit" id="reply">Send the answer</button>
        </form>
        """;

    private static async Task<IResult> ReplyToDisputeAsync(HttpContext http, string caseId, DisputeService disputes, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var entry = new DisputeAnswerEntry(form["responseContent"].ToString(), form["representmentFile"].ToString());
        var files = entry.Files.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Sending the same answer twice (a double click, a reload) is taken once.
        var reply = await disputes.ReplyAsync(caseId, entry.Text.Trim(), files, ct);
        return reply.Outcome switch
        {
            DisputeReplyOutcome.Taken => await DisputePageAsync(http, caseId, null, null, reply.Message, StatusCodes.Status200OK, ct),
            DisputeReplyOutcome.Invalid => await DisputePageAsync(http, caseId, entry, new FieldProblem(reply.Field!, reply.Message), null, StatusCodes.Status400BadRequest, ct),
            DisputeReplyOutcome.NotFound => await DisputePageAsync(http, caseId, null, null, null, StatusCodes.Status404NotFound, ct),
            // Refused or unknown: the case as it is now says whether it can still be answered, with the words why not.
            _ => await DisputePageAsync(http, caseId, entry, new FieldProblem("reply", reply.Message), null, StatusCodes.Status409Conflict, ct),
        };
    }

    private static string DisputeWords(DisputeSummary c) => (c.Status, c.CaseResult) switch
    {
        (DisputeStatuses.Inquiry, _) => c.CanAnswer ? "to answer" : "unanswered",
        (DisputeStatuses.Received, _) => "answered, waiting for the issuer",
        (_, CaseResults.Win) => "won",
        (_, CaseResults.Fail) => "lost",
        (DisputeStatuses.Cancelled, _) => "withdrawn by the cardholder",
        _ => c.Status.ToLowerInvariant(),
    };

    private static string StepWords(string status) => status switch
    {
        DisputeStatuses.Inquiry => "raised by the cardholder",
        DisputeStatuses.Received => "answered",
        DisputeStatuses.End => "ruled by the issuer",
        DisputeStatuses.Closed => "closed",
        DisputeStatuses.Cancelled => "withdrawn by the cardholder",
        _ => status,
    };

    private static string ReasonWords(string category) => category switch
    {
        DisputeReasons.Fraud => "fraud",
        DisputeReasons.NotReceived => "not received",
        DisputeReasons.Duplicate => "charged twice",
        DisputeReasons.CancelledRecurring => "cancelled recurring",
        DisputeReasons.NotAsDescribed => "not as described",
        DisputeReasons.CreditNotProcessed => "refund not processed",
        _ => category.ToLowerInvariant(),
    };

    private static string MoneyOf(decimal amount, string currency) => $"{amount.ToString(CultureInfo.InvariantCulture)} {currency}";

    /// <summary>What the reply form had: shown again when it comes back with a problem.</summary>
    private sealed record DisputeAnswerEntry(string Text, string Files);
}
