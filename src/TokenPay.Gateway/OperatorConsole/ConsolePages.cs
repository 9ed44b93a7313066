using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Pages;
using TokenPay.Gateway.Sandbox;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.OperatorConsole;

/// <summary>
/// The operator console at <c>/admin/console</c> (guarded like <c>/admin</c>): orders with filters, an order's
/// timeline with every notification attempt and a Resend button, a user's tokens, the event log, and in sandbox
/// mode the clock and the failure rules. Server-rendered; <c>console.js</c> keeps it live over server-sent events.
/// </summary>
internal static class ConsolePages
{
    private const string Style = """
        main{max-width:76rem;margin:1rem auto;padding:1rem 1.25rem}h1{overflow-wrap:anywhere}.id{overflow-wrap:anywhere}button{white-space:nowrap}
        nav{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;margin-bottom:1rem}nav a{font-weight:600}
        .wide{overflow-x:auto;-webkit-overflow-scrolling:touch}
        table{border-collapse:collapse;width:100%;font-size:.88rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e5ea;white-space:nowrap}td.id{white-space:normal;overflow-wrap:anywhere;min-width:6rem}
        th{background:#f4f5f7}td.excerpt{white-space:normal;word-break:break-all;max-width:28rem}
        select{display:block;width:100%;box-sizing:border-box;font-size:1rem;padding:.6rem;margin-top:.25rem;border:1px solid #b8bcc6;border-radius:6px;background:#fff}
        .wide{margin-top:.75rem}
        form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}form.filters label{margin:0;flex:1 1 9rem}
        form.inline{display:inline}button.small{flex:none;font-size:.85rem;padding:.35rem .7rem;background:#1f4fa3;color:#fff}
        button.primary{flex:none;background:#1f4fa3;color:#fff;padding:.55rem 1rem}
        .badge{display:inline-block;white-space:nowrap;padding:.05rem .45rem;border-radius:6px;font-size:.8rem;font-weight:600;background:#e3e5ea}
        .SUCCESS,.Delivered,.Activated{background:#d8f0de;color:#135c28}.FAILED,.Failed,.Deleted{background:#fbe0e0;color:#8d1c1c}.PENDING,.Pending{background:#fff1cc;color:#6b4a00}
        ol.timeline{padding-left:1.2rem}ol.timeline li{margin:.3rem 0}ol.timeline time,#events time{font-family:ui-monospace,monospace;font-size:.82rem;color:#5b6170}
        #events{list-style:none;padding:0;max-height:22rem;overflow-y:auto;font-size:.85rem}#events li{padding:.2rem 0;border-bottom:1px solid #eef0f3;overflow-wrap:anywhere}
        section{margin-top:1.5rem}textarea{width:100%;box-sizing:border-box;font-family:ui-monospace,monospace;font-size:.85rem;min-height:6rem}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;font-size:.9rem}dt{color:#5b6170}dd{margin:0;overflow-wrap:anywhere}
        .field-error{flex-basis:100%;margin:.25rem 0 0}[aria-invalid=true]{border-color:#c62828;outline:1px solid #c62828}
        @media (max-width:600px){main{margin:0;border-radius:0;padding:.75rem}dl{grid-template-columns:1fr}dt{margin-top:.4rem}}
        """;

    private static readonly string[] Statuses = [OrderStatuses.Pending, OrderStatuses.Success, OrderStatuses.Failed, OrderStatuses.Closed];

    public static void MapConsole(this RouteGroupBuilder admin)
    {
        var console = admin.MapGroup("/console").ExcludeFromDescription();
        console.MapGet("/", IndexAsync);
        console.MapGet("/orders/{tradeToken}", OrderAsync);
        console.MapGet("/users/{merchantNo}/{userId}", UserAsync);
        console.MapPost("/notifications/{id:long}/resend", ResendAsync);
        console.MapPost("/clock", MoveClockAsync);
        console.MapPost("/faults", AddFaultAsync);
        console.MapPost("/faults/{id}/remove", (HttpContext http, FaultRules rules, string id) =>
        {
            rules.Remove(id);
            return Results.Redirect("/admin/console/", preserveMethod: false);
        });
    }

    private static async Task IndexAsync(HttpContext http, ConsoleStore store, GatewayEvents events, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        var (filter, problem) = ReadFilter(query["merchantNo"], query["status"], query["userId"], query["from"], query["to"]);
        await WriteIndexAsync(http, filter, problem, new SandboxInput(), store, events, options.Value.Sandbox.Enabled, cancellationToken);
    }

    /// <summary>What the operator typed in the sandbox forms, and what was wrong with it, for the page that shows the mistake.</summary>
    private sealed record SandboxInput(string? Advance = null, string? AdvanceProblem = null, string? Rule = null, string? RuleProblem = null)
    {
        public bool Refused => AdvanceProblem is not null || RuleProblem is not null;
    }

    private static async Task WriteIndexAsync(HttpContext http, OrderFilter? filter, FieldProblem? problem, SandboxInput sandboxInput, ConsoleStore store, GatewayEvents events, bool sandbox, CancellationToken cancellationToken)
    {
        var feedAfter = events.LastId;
        var orders = filter is null ? [] : await store.ListOrdersAsync(filter, cancellationToken);
        var query = http.Request.Query;
        string? ProblemOf(string field) => problem?.Field == field ? problem.Message : null;
        var html = new StringBuilder()
            .Append(Nav(http, sandbox))
            .Append("<h1>Orders</h1><form class=\"filters\" method=\"get\" action=\"/admin/console/\">")
            .Append(Field("merchantNo", "Merchant", query["merchantNo"], problem: ProblemOf("merchantNo")))
            .Append("<label>Status<select name=\"status\" id=\"status\"").Append(Invalid("status", ProblemOf("status"))).Append("><option value=\"\">any</option>")
            .AppendJoin("", Statuses.Select(s => $"<option{(query["status"] == s ? " selected" : "")}>{s}</option>"))
            .Append("</select></label>")
            .Append(Field("userId", "User", query["userId"], problem: ProblemOf("userId")))
            .Append(Field("from", "From (UTC)", query["from"], "datetime-local", ProblemOf("from")))
            .Append(Field("to", "To (UTC)", query["to"], "datetime-local", ProblemOf("to")))
            .Append("<button class=\"primary\" id=\"filter\">Filter</button>")
            .Append(problem is null ? "" : FieldError(problem.Field, problem.Message))
            .Append("</form>");

        // The columns an operator reads first come first: a phone shows them without scrolling the table.
        html.Append("<div id=\"live-orders\" data-live><div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Orders\"><table id=\"orders\"><thead><tr><th>outTradeNo</th><th>Status</th><th>Amount</th><th>User</th><th>Created (UTC)</th><th>Code</th><th>Kind</th><th>Merchant</th></tr></thead><tbody>");
        foreach (var order in orders)
        {
            html.Append("<tr>").Append(IdCell(order.OutTradeNo)).Append("<a href=\"/admin/console/orders/").Append(Uri.EscapeDataString(order.TradeToken)).Append("\">").Append(HtmlPage.Encode(order.OutTradeNo)).Append("</a>")
                .Append("</td><td>").Append(Badge(order.Status)).Append("</td><td>").Append(Amount(order.AmountMinor, order.Currency))
                .Append("</td>").Append(IdCell(order.UserId)).Append("<a href=\"").Append(UserLink(order.MerchantNo, order.UserId)).Append("\">").Append(HtmlPage.Encode(order.UserId)).Append("</a>")
                .Append("</td><td>").Append(Time(order.CreatedAt)).Append("</td><td>").Append(HtmlPage.Encode(order.ResultCode))
                .Append("</td><td>").Append(order.MerchantInitiated ? "MIT" : "customer").Append("</td>").Append(IdCell(order.MerchantNo)).Append(HtmlPage.Encode(order.MerchantNo)).Append("</td></tr>");
        }

        html.Append("</tbody></table></div>");
        if (orders.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"no-orders\">No orders match.</p>");
        }

        html.Append("</div>");
        if (sandbox)
        {
            html.Append(SandboxPanel(http, sandboxInput));
        }

        html.Append(EventList(events));
        // A refused form is shown at the POST's URL, which has no GET: the live update follows the order list instead.
        var liveUrl = HttpMethods.IsGet(http.Request.Method) ? $"/admin/console/{http.Request.QueryString}" : "/admin/console/";
        await WritePageAsync(http, problem is null && !sandboxInput.Refused ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, "Orders", html, feedAfter, liveUrl);
    }

    private static async Task OrderAsync(HttpContext http, string tradeToken, OrderStore orders, ConsoleStore store, NotificationOutbox outbox, GatewayEvents events, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var feedAfter = events.LastId;
        if (await orders.FindForAcquirerAsync(tradeToken, cancellationToken) is not { } order)
        {
            await WritePageAsync(http, StatusCodes.Status404NotFound, "No such order", new StringBuilder(Nav(http, options.Value.Sandbox.Enabled)).Append("<h1>No such order</h1><p>There is no order with this trade token.</p>"), feedAfter, http.Request.Path.ToString());
            return;
        }

        var notifications = await store.NotificationsOfAsync(order.Id, cancellationToken);
        var attempts = new Dictionary<long, IReadOnlyList<AttemptSummary>>();
        foreach (var notification in notifications)
        {
            attempts[notification.Id] = await outbox.ListAttemptsAsync(notification.Id, cancellationToken);
        }

        var refunds = await store.RefundsOfAsync(order.Id, cancellationToken);
        var disputes = await store.DisputesOfAsync(order.Id, cancellationToken);
        var steps = await store.DisputeStepsOfAsync(order.Id, cancellationToken);
        var html = new StringBuilder(Nav(http, options.Value.Sandbox.Enabled))
            .Append("<h1>Order ").Append(HtmlPage.Encode(order.OutTradeNo)).Append("</h1><div id=\"live\" data-live><dl>")
            .Append(Term("Status", Badge(order.Status) + (order.ResultCode is null ? "" : $" {HtmlPage.Encode(order.ResultCode)} {HtmlPage.Encode(order.ResultMsg)}")))
            .Append(Term("Merchant", HtmlPage.Encode(order.MerchantNo)))
            .Append(Term("User", $"<a href=\"{UserLink(order.MerchantNo, order.UserId)}\">{HtmlPage.Encode(order.UserId)}</a>"))
            .Append(Term("Amount", Amount(order.AmountMinor, order.Currency) + MoneyTaken(order)))
            .Append(Term("Trade token", HtmlPage.Encode(order.TradeToken)))
            .Append(Term("Kind", order.MerchantInitiated ? $"merchant-initiated ({HtmlPage.Encode(order.MitType)})" : order.TokenForFutureUse ? "customer-initiated, saves the card" : "customer-initiated"))
            .Append(Term("Card", order.Card is { } card ? $"{HtmlPage.Encode(card.Brand)} {HtmlPage.Encode(card.Masked)}" : "none yet"))
            .Append(Term("Token", HtmlPage.Encode(order.PaymentTokenId ?? "none")))
            .Append(Term("Acquirer", $"{HtmlPage.Encode(order.Acquirer ?? "default")}{(order.AcquirerReference is { } reference ? $", reference {HtmlPage.Encode(reference)}" : "")}"))
            .Append(Term("Advice", order.AdviceCategory is null && order.MerchantAdviceCode is null ? "none" : $"category {order.AdviceCategory?.ToString(CultureInfo.InvariantCulture) ?? "-"}, merchant advice code {HtmlPage.Encode(order.MerchantAdviceCode ?? "-")}"))
            .Append("</dl><h2>Timeline</h2><ol class=\"timeline\" id=\"timeline\">");
        foreach (var (at, text) in Timeline(order, notifications, attempts, refunds, events).Concat(DisputeTimeline(disputes, steps)).OrderBy(t => t.At))
        {
            html.Append("<li><time>").Append(Time(at)).Append("</time> ").Append(text).Append("</li>");
        }

        html.Append("</ol><h2>Notifications</h2>");
        foreach (var notification in notifications)
        {
            html.Append("<section class=\"notification\" id=\"notification-").Append(notification.Id).Append("\"><p><b>").Append(HtmlPage.Encode(notification.NotifyType)).Append("</b> ")
                .Append(Badge(notification.Status)).Append(" to <span class=\"id\">").Append(HtmlPage.Encode(notification.Url)).Append("</span> ")
                .Append("<form class=\"inline\" method=\"post\" action=\"/admin/console/notifications/").Append(notification.Id).Append("/resend\"><button class=\"small resend\">Resend</button></form></p>")
                .Append("<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Attempts\"><table class=\"attempts\"><thead><tr><th>#</th><th>Started (UTC)</th><th>HTTP</th><th>Latency</th><th>Result</th><th>Answer (excerpt)</th></tr></thead><tbody>");
            foreach (var attempt in attempts[notification.Id])
            {
                html.Append("<tr><td>").Append(attempt.Attempt).Append("</td><td>").Append(Time(attempt.StartedAt)).Append("</td><td>")
                    .Append(attempt.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "-").Append("</td><td>").Append(attempt.LatencyMs).Append(" ms</td><td>")
                    .Append(HtmlPage.Encode(attempt.Error ?? "acknowledged")).Append("</td><td class=\"excerpt\">").Append(HtmlPage.Encode(attempt.ResponseExcerpt)).Append("</td></tr>");
            }

            html.Append("</tbody></table></div></section>");
        }

        if (notifications.Count == 0)
        {
            html.Append("<p class=\"muted\">No notifications for this order.</p>");
        }

        html.Append(RefundTable(refunds)).Append(DisputeTable(disputes));
        html.Append("</div>").Append(EventList(events));
        await WritePageAsync(http, StatusCodes.Status200OK, $"Order {order.OutTradeNo}", html, feedAfter, $"/admin/console/orders/{Uri.EscapeDataString(order.TradeToken)}");
    }

    private static string RefundTable(IReadOnlyList<OrderRefund> refunds)
    {
        if (refunds.Count == 0)
        {
            return "";
        }

        var html = new StringBuilder();
        html.Append("<h2>Refunds</h2><div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Refunds\"><table id=\"refunds\"><thead><tr><th>outRefundNo</th><th>Amount</th><th>Status</th><th>Created</th><th>Ended</th></tr></thead><tbody>");
        foreach (var refund in refunds)
        {
            html.Append("<tr><td>").Append(HtmlPage.Encode(refund.OutRefundNo)).Append("</td><td>").Append(Amount(refund.AmountMinor, refund.Currency)).Append("</td><td>")
                .Append(Badge(refund.Status)).Append("</td><td>").Append(Time(refund.CreatedAt)).Append("</td><td>").Append(refund.CompletedAt is { } done ? Time(done) : "-").Append("</td></tr>");
        }

        html.Append("</tbody></table></div>");
        return html.ToString();
    }

    private static string DisputeTable(IReadOnlyList<OrderDispute> disputes)
    {
        if (disputes.Count == 0)
        {
            return "";
        }

        var html = new StringBuilder();
        html.Append("<h2>Disputes</h2><div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Disputes\"><table id=\"disputes\"><thead><tr><th>Case</th><th>Reason</th><th>Amount</th><th>Fee</th><th>Status</th><th>Answer by</th></tr></thead><tbody>");
        foreach (var dispute in disputes)
        {
            html.Append("<tr><td class=\"id\">").Append(HtmlPage.Encode(dispute.CaseId)).Append("</td><td>").Append(HtmlPage.Encode(dispute.ReasonCategory)).Append(' ').Append(HtmlPage.Encode(dispute.ReasonCode))
                .Append("</td><td>").Append(Amount(dispute.AmountMinor, dispute.Currency)).Append("</td><td>").Append(Amount(dispute.FeeMinor, dispute.Currency)).Append("</td><td>")
                .Append(Badge(dispute.Status)).Append(dispute.CaseResult is { } result ? $" {HtmlPage.Encode(result)}" : "").Append("</td><td>")
                .Append(dispute.AnsweredAt is null ? HtmlPage.Encode(dispute.ExpirationDate) : "answered").Append("</td></tr>");
        }

        html.Append("</tbody></table></div>");
        return html.ToString();
    }

    /// <summary>What refunds and disputes hold of the order's amount, when they hold anything.</summary>
    private static string MoneyTaken(OrderRecord order)
    {
        var parts = new[] { (order.RefundedMinor, "refunded"), (order.DisputedMinor, "frozen by disputes"), (order.ChargedBackMinor, "charged back") }
            .Where(p => p.Item1 > 0).Select(p => $"{Amount(p.Item1, order.Currency)} {p.Item2}").ToList();
        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    /// <summary>Each step of the order's dispute cases: raised (with what it froze and the answer deadline), answered, ruled, closed or withdrawn.</summary>
    private static IEnumerable<(long At, string Text)> DisputeTimeline(IReadOnlyList<OrderDispute> disputes, IReadOnlyList<DisputeStep> steps)
    {
        var byId = disputes.ToDictionary(d => d.Id);
        foreach (var step in steps.Where(s => byId.ContainsKey(s.DisputeId)))
        {
            var dispute = byId[step.DisputeId];
            var what = step.Status switch
            {
                DisputeStatuses.Inquiry => $"raised ({HtmlPage.Encode(dispute.ReasonCategory)} {HtmlPage.Encode(dispute.ReasonCode)}): {Amount(dispute.AmountMinor, dispute.Currency)} frozen, answer by {HtmlPage.Encode(dispute.ExpirationDate)}",
                DisputeStatuses.Received => "answered by the merchant, evidence passed to the issuer",
                DisputeStatuses.End => $"ruled {HtmlPage.Encode(step.CaseResult)}" + (step.CaseResult == CaseResults.Fail ? $": {Amount(dispute.AmountMinor, dispute.Currency)} charged back, fee {Amount(dispute.FeeMinor, dispute.Currency)}" : ": released"),
                DisputeStatuses.Closed => "closed",
                DisputeStatuses.Cancelled => "withdrawn by the cardholder: released",
                _ => HtmlPage.Encode(step.Status),
            };
            yield return (step.HappenedAt, $"Dispute <span class=\"id\">{HtmlPage.Encode(dispute.CaseId)}</span> {what} {Badge(step.Status)}");
        }
    }

    private static IEnumerable<(long At, string Text)> Timeline(OrderRecord order, IReadOnlyList<NotificationSummary> notifications, Dictionary<long, IReadOnlyList<AttemptSummary>> attempts, IReadOnlyList<OrderRefund> refunds, GatewayEvents events)
    {
        yield return (order.CreatedAt, $"Request received: orderAndPay ({HtmlPage.Encode(order.Integrate)}), {Amount(order.AmountMinor, order.Currency)}");
        if (order.SentAt is { } sent)
        {
            yield return (sent, $"Sent to the acquirer {HtmlPage.Encode(order.Acquirer ?? "")} (last time asked)");
        }

        if (order.CompletedAt is { } completed)
        {
            yield return (completed, $"Acquirer decision: {Badge(order.Status)} {HtmlPage.Encode(order.ResultCode)}");
        }

        foreach (var notification in notifications)
        {
            yield return (notification.CreatedAt, $"{HtmlPage.Encode(notification.NotifyType)} notification queued");
            foreach (var attempt in attempts[notification.Id])
            {
                yield return (attempt.StartedAt, $"{HtmlPage.Encode(notification.NotifyType)} attempt {attempt.Attempt}: {HtmlPage.Encode(attempt.Error ?? "acknowledged")} (HTTP {attempt.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "-"}, {attempt.LatencyMs} ms)");
            }
        }

        foreach (var refund in refunds)
        {
            yield return (refund.CreatedAt, $"Refund {HtmlPage.Encode(refund.OutRefundNo)} asked: {Amount(refund.AmountMinor, refund.Currency)}");
            if (refund.CompletedAt is { } ended)
            {
                yield return (ended, $"Refund {HtmlPage.Encode(refund.OutRefundNo)} ended: {Badge(refund.Status)}");
            }
        }

        // Sandbox rules that fired on this order (kept in the event log of this node).
        foreach (var fired in events.Since(0).Where(e => e.Kind == "fault.fired" && e.Data?.GetValueOrDefault("outTradeNo") == order.OutTradeNo))
        {
            yield return (fired.At.ToUnixTimeMilliseconds(), HtmlPage.Encode(fired.Message));
        }
    }

    private static async Task UserAsync(HttpContext http, string merchantNo, string userId, [Microsoft.AspNetCore.Mvc.FromServices] TokenStore tokens, ConsoleStore store, GatewayEvents events, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var feedAfter = events.LastId;
        var saved = await tokens.ListAsync(merchantNo, userId, cancellationToken);
        var orders = await store.ListOrdersAsync(new OrderFilter(merchantNo, null, userId, null, null), cancellationToken);
        var html = new StringBuilder(Nav(http, options.Value.Sandbox.Enabled))
            .Append("<h1>User ").Append(HtmlPage.Encode(userId)).Append("</h1><p class=\"muted\">Merchant ").Append(HtmlPage.Encode(merchantNo)).Append("</p><div id=\"live\" data-live><h2>Saved cards</h2>")
            .Append("<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Saved cards\"><table id=\"tokens\"><thead><tr><th>paymentTokenID</th><th>Card</th><th>Status</th><th>MIT</th><th>Valid until</th><th>Saved</th></tr></thead><tbody>");
        foreach (var token in saved)
        {
            html.Append("<tr><td>").Append(HtmlPage.Encode(token.PaymentTokenId)).Append("</td><td>").Append(HtmlPage.Encode(token.Card.Brand)).Append(' ').Append(HtmlPage.Encode(token.Card.Masked))
                .Append("</td><td>").Append(Badge(token.Status)).Append("</td><td>").Append(HtmlPage.Encode(token.MitType ?? "-")).Append("</td><td>").Append(Time(token.ExpiresAt))
                .Append("</td><td>").Append(Time(token.CreatedAt)).Append("</td></tr>");
        }

        html.Append("</tbody></table></div><h2>Orders</h2><ul>");
        foreach (var order in orders)
        {
            html.Append("<li><a class=\"id\" href=\"/admin/console/orders/").Append(Uri.EscapeDataString(order.TradeToken)).Append("\">").Append(HtmlPage.Encode(order.OutTradeNo)).Append("</a> ")
                .Append(Amount(order.AmountMinor, order.Currency)).Append(' ').Append(Badge(order.Status)).Append("</li>");
        }

        html.Append("</ul></div>").Append(EventList(events));
        await WritePageAsync(http, StatusCodes.Status200OK, $"User {userId}", html, feedAfter, UserLink(merchantNo, userId));
    }

    private static async Task<IResult> ResendAsync(long id, NotificationResender resender, ConsoleStore store, CancellationToken cancellationToken) =>
        await store.TradeTokenOfNotificationAsync(id, cancellationToken) is { } tradeToken && await resender.ResendAsync(id, cancellationToken)
            ? Results.Redirect($"/admin/console/orders/{Uri.EscapeDataString(tradeToken)}", preserveMethod: false)
            : Results.NotFound("No such notification.");

    private static async Task MoveClockAsync(HttpContext http, ConsoleStore store, GatewayEvents events, IOptions<GatewayOptions> options, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!options.Value.Sandbox.Enabled || services.GetService<SandboxClock>() is not { } clock)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        var (by, problem) = SandboxApi.ParseAdvance(form["advance"]);
        // Success goes back to the list (the form's #fragment keeps the operator's place); a mistake keeps what was typed.
        if (by is { } duration)
        {
            await SandboxApi.LoggedAsync(events, clock.MoveByAsync(duration, cancellationToken));
            http.Response.Redirect("/admin/console/");
            return;
        }

        await WriteIndexAsync(http, new OrderFilter(null, null, null, null, null), null, new SandboxInput(Advance: form["advance"], AdvanceProblem: problem), store, events, sandbox: true, cancellationToken);
    }

    private static async Task AddFaultAsync(HttpContext http, FaultRules rules, ConsoleStore store, GatewayEvents events, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        if (!options.Value.Sandbox.Enabled)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        var (rule, problem) = FaultRuleRequest.Read(form["rule"].ToString());
        if (rule is not null)
        {
            rules.Add(rule);
            http.Response.Redirect("/admin/console/");
            return;
        }

        await WriteIndexAsync(http, new OrderFilter(null, null, null, null, null), null, new SandboxInput(Rule: form["rule"], RuleProblem: problem), store, events, sandbox: true, cancellationToken);
    }

    private static string SandboxPanel(HttpContext http, SandboxInput input)
    {
        var clock = http.RequestServices.GetRequiredService<SandboxClock>();
        var rules = http.RequestServices.GetRequiredService<FaultRules>();
        var html = new StringBuilder("<section id=\"sandbox\"><h2>Sandbox</h2>");
        html.Append("<p id=\"live-clock\" data-live>Clock: <b id=\"clock-now\">").Append(clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append("</b> (")
            .Append(HtmlPage.Encode(clock.Offset.ToString(@"d\d\ hh\:mm\:ss", CultureInfo.InvariantCulture))).Append(" ahead of real time)</p>")
            // The #fragment brings a phone back to this form (and its error) rather than the top of the orders.
            .Append("<form class=\"filters\" id=\"clock-form\" method=\"post\" action=\"/admin/console/clock#clock-form\">").Append(Field("advance", "Move forward by", input.Advance ?? "06:00:00", problem: input.AdvanceProblem))
            .Append("<button class=\"primary\" id=\"move-clock\">Move clock</button>").Append(FieldError("advance", input.AdvanceProblem)).Append("</form>")
            .Append("<h3>Failure rules</h3><div class=\"wide\" id=\"live-faults\" data-live tabindex=\"0\" role=\"region\" aria-label=\"Failure rules\"><table id=\"faults\"><thead><tr><th>Id</th><th>Kind</th><th>Scope</th><th>Used</th><th></th></tr></thead><tbody>");
        foreach (var rule in rules.Active)
        {
            var scope = string.Join(", ", new[] { rule.MerchantNo, rule.UserId is { } u ? $"user {u}" : null, rule.OutTradeNo is { } o ? $"outTradeNo {o}" : null }.OfType<string>().DefaultIfEmpty("all"));
            html.Append("<tr><td>").Append(HtmlPage.Encode(rule.Id)).Append("</td><td>").Append(HtmlPage.Encode(rule.Kind)).Append("</td><td>").Append(HtmlPage.Encode(scope))
                .Append("</td><td>").Append(rule.Fired).Append(" of ").Append(rule.Uses).Append("</td><td><form class=\"inline\" method=\"post\" action=\"/admin/console/faults/")
                .Append(Uri.EscapeDataString(rule.Id)).Append("/remove#live-faults\"><button class=\"small\">Remove</button></form></td></tr>");
        }

        html.Append("</tbody></table></div><form id=\"rule-form\" method=\"post\" action=\"/admin/console/faults#rule-form\"><label for=\"rule\">New rule (JSON; kinds and fields in docs/sandbox.md)</label>")
            .Append("<textarea id=\"rule\" name=\"rule\"").Append(Invalid("rule", input.RuleProblem)).Append('>').Append(HtmlPage.Encode(input.Rule ?? "{\"kind\":\"api.lost-answer\",\"answer\":\"close\",\"uses\":1}")).Append("</textarea>")
            .Append(FieldError("rule", input.RuleProblem))
            .Append("<p><button class=\"primary\" id=\"add-fault\">Add rule</button></p></form></section>");
        return html.ToString();
    }

    private static string EventList(GatewayEvents events)
    {
        var html = new StringBuilder("<section><h2>Event log <span class=\"muted\" id=\"live-status\">connecting…</span></h2><ul id=\"events\">");
        foreach (var entry in events.Since(0).Where(e => e.Kind != "request").Reverse().Take(100))
        {
            html.Append("<li><time>").Append(entry.At.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append("</time> <b>").Append(HtmlPage.Encode(entry.Kind))
                .Append("</b> <span>").Append(HtmlPage.Encode(entry.Message)).Append("</span></li>");
        }

        return html.Append("</ul></section>").ToString();
    }

    /// <param name="feedAfter">
    /// The newest event's id taken before the page read anything (<see cref="GatewayEvents.LastId"/>): the page's live
    /// feed starts after it, so an event published while the page was being read (a delivery recorded just after
    /// its attempts were listed) is replayed to it and refreshes the page, instead of counting as already shown.
    /// </param>
    /// <param name="liveUrl">The GET address whose fresh copy <c>console.js</c> takes the live regions from.</param>
    private static Task WritePageAsync(HttpContext http, int status, string title, StringBuilder html, long feedAfter, string liveUrl)
    {
        return HtmlPage.WriteAsync(http, status, $"{title} · TokenPay console", html.ToString(), ["console.js"], style: Style, bodyAttributes: $"data-last-event=\"{feedAfter}\" data-live-url=\"{HtmlPage.Encode(liveUrl)}\"");
    }

    private static string Nav(HttpContext http, bool sandbox) =>
        $"<nav><a href=\"/admin/console/\">TokenPay console</a><a href=\"/admin/console/?status=PENDING\">Pending</a><a href=\"/admin/console/?status=FAILED\">Failed</a>{(sandbox ? "<span class=\"badge\">sandbox</span>" : "")}<a href=\"/docs\">API reference</a></nav>";

    /// <summary>What is wrong with one field of a form, shown under it.</summary>
    private sealed record FieldProblem(string Field, string Message);

    private static (OrderFilter? Filter, FieldProblem? Problem) ReadFilter(string? merchantNo, string? status, string? userId, string? from, string? to)
    {
        foreach (var (name, value) in new[] { ("merchantNo", merchantNo), ("userId", userId) })
        {
            if (value is { Length: > 64 })
            {
                return (null, new FieldProblem(name, $"{name} must be at most 64 characters."));
            }
        }

        if (status is { Length: > 0 } && !Statuses.Contains(status))
        {
            return (null, new FieldProblem("status", $"status must be one of {string.Join(", ", Statuses)}."));
        }

        var (fromAt, fromProblem) = ParseTime("from", from);
        var (toAt, toProblem) = ParseTime("to", to);
        return (fromProblem, toProblem) switch
        {
            ({ } problem, _) => (null, new FieldProblem("from", problem)),
            (_, { } problem) => (null, new FieldProblem("to", problem)),
            _ => (new OrderFilter(Blank(merchantNo), Blank(status), Blank(userId), fromAt, toAt), null),
        };
    }

    private static (long? At, string? Problem) ParseTime(string name, string? text) =>
        string.IsNullOrEmpty(text) ? (null, null)
        : DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? (new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeMilliseconds(), null)
            : (null, $"{name} must be a time such as 2026-12-01T09:30 (UTC).");

    private static string? Blank(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string Field(string name, string label, string? value, string type = "text", string? problem = null) =>
        $"<label>{HtmlPage.Encode(label)}<input name=\"{name}\" id=\"{name}\" type=\"{type}\" value=\"{HtmlPage.Encode(value)}\"{Invalid(name, problem)}></label>";

    private static string Invalid(string name, string? problem) => problem is null ? "" : $" aria-invalid=\"true\" aria-describedby=\"{name}-error\"";

    private static string FieldError(string name, string? problem) =>
        problem is null ? "" : $"<p class=\"error field-error\" id=\"{name}-error\" role=\"alert\">{HtmlPage.Encode(problem)}</p>";

    private static string Term(string term, string valueHtml) => $"<dt>{HtmlPage.Encode(term)}</dt><dd>{valueHtml}</dd>";

    /// <summary>
    /// The opening of a table cell holding an id: a long one (a merchant service's order number) may wrap anywhere so
    /// the columns after it stay in view; a short one reads as one word and stays on its line.
    /// </summary>
    private static string IdCell(string id) => id.Length > 24 ? "<td class=\"id\">" : "<td>";

    private static string Badge(string status) => $"<span class=\"badge {HtmlPage.Encode(status)}\">{HtmlPage.Encode(status)}</span>";

    private static string Amount(long minor, string currency) =>
        $"{Currencies.FromMinorUnits(minor, currency).ToString(CultureInfo.InvariantCulture)} {HtmlPage.Encode(currency)}";

    private static string Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string UserLink(string merchantNo, string userId) => $"/admin/console/users/{Uri.EscapeDataString(merchantNo)}/{Uri.EscapeDataString(userId)}";
}
