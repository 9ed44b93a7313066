using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;
using static TokenPay.Merchant.Shop.ShopLayout;

namespace TokenPay.Merchant.Shop;

/// <summary>
/// The operator's pages: a password login (cookie), then a dashboard of customers, payments and charges; a
/// customer's page charges the card the operator chooses (without the customer), a payment's page refunds it, and a
/// dispute case's page answers it.
/// A form with a mistake comes back in place, with what was typed and the problem next to its field.
/// </summary>
internal static partial class OperatorPages
{
    private const int PageSize = 25;

    // Rows of a list shown on the dashboard or a customer's page, with a link to the whole list.
    private const int Glance = 5;

    public static void MapOperatorPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/shop/operator/login", (HttpContext http, OperatorLogin login) => Login(http, login, null, StatusCodes.Status200OK));
        var forms = app.MapGroup("/shop/operator").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        forms.MapPost("/login", LoginAsync);
        forms.MapPost("/logout", (Delegate)LogoutAsync);

        var signedIn = app.MapGroup("/shop/operator").RequireAuthorization(MerchantSecurity.Operator);
        signedIn.MapGet("", DashboardAsync);
        signedIn.MapGet("/customers", CustomersAsync);
        signedIn.MapGet("/customers/{userId}", (HttpContext http, string userId, CancellationToken ct) => CustomerPageAsync(http, userId, ChargeEntry.Blank, null, StatusCodes.Status200OK, ct));
        signedIn.MapGet("/payments", PaymentsAsync);
        signedIn.MapGet("/payments/{outTradeNo}", (HttpContext http, string outTradeNo, CancellationToken ct) => PaymentPageAsync(http, outTradeNo, null, null, StatusCodes.Status200OK, ct));
        signedIn.MapGet("/charges", ChargesAsync);
        signedIn.MapGet("/charges/{chargeId}", ChargeHistoryAsync);
        var actions = signedIn.MapGroup("").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        actions.MapPost("/customers/{userId}/charge", ChargeAsync);
        actions.MapPost("/payments/{outTradeNo}/refund", RefundAsync);
        MapDisputePages(signedIn, actions);
    }

    private static IResult Login(HttpContext http, OperatorLogin login, string? user, int status)
    {
        var refused = status == StatusCodes.Status401Unauthorized;
        return Page(http, "Operator sign-in", $"""
            <h1>Operator sign-in</h1>
            {(login.IsConfigured ? "" : """<p class="muted" id="not-configured">No operator password is configured (Merchant:Operator:PasswordHash); nobody can sign in.</p>""")}
            {(refused ? """<p class="hint" id="login-error" role="alert">The user or the password is wrong.</p>""" : "")}
            <form method="post" action="/shop/operator/login">
              {Csrf(http)}
              <label>User<input name="user" id="operator-user" autocomplete="username" value="{E(user)}"></label>
              <label>Password<input type="password" name="password" id="operator-password" autocomplete="current-password"{(refused ? """ aria-invalid="true" aria-describedby="login-error" """ : "")}></label>
              <button type="submit" id="operator-signin">Sign in</button>
            </form>
            """, status);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, OperatorLogin login)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = form["user"].ToString();
        if (!login.Verify(user, form["password"].ToString()))
        {
            return Login(http, login, user, StatusCodes.Status401Unauthorized);
        }

        await http.SignInOperatorAsync(user);
        return Results.Redirect("/shop/operator");
    }

    private static async Task<IResult> LogoutAsync(HttpContext http)
    {
        await http.SignOutAsync(MerchantSecurity.Operator);
        return Results.Redirect("/shop/operator/login");
    }

    private static async Task<IResult> DashboardAsync(HttpContext http, WalletStore wallet, PaymentStore payments, RetryLedger retries, CancellationToken ct) =>
        OperatorPage(http, "Operator", $"""
            <h1>Operator</h1>
            <form method="get" action="/shop/operator/customers" id="find-customer">
              <label>Find a customer (user id, or its start)<input name="user" id="find-user"></label>
              <button type="submit">Find</button>
            </form>
            <h2>Customers</h2>{CustomerTable(await wallet.ListCustomersAsync(null, null, Glance, ct))}<p><a href="/shop/operator/customers">All customers</a></p>
            <h2>Latest payments</h2>{PaymentTable(await payments.ListAsync(new PaymentFilter(), Glance, ct))}<p><a href="/shop/operator/payments">All payments</a></p>
            <h2>Latest charges</h2>{ChargeTable(await retries.ListChargesAsync(new ChargeFilter(), Glance, ct))}<p><a href="/shop/operator/charges">All charges</a></p>
            """);

    private static async Task<IResult> CustomersAsync(HttpContext http, string? user, string? after, WalletStore wallet, CancellationToken ct)
    {
        var prefix = Blank(user);
        var problem = prefix is { Length: > 64 } ? new FieldProblem("user", "A user id is at most 64 characters.") : null;
        var rows = problem is null ? await wallet.ListCustomersAsync(prefix, Blank(after), PageSize + 1, ct) : [];
        var more = rows.Count > PageSize ? $"""<p><a id="more" href="/shop/operator/customers{Query(("user", prefix), ("after", rows[PageSize - 1].UserId))}">More customers</a></p>""" : "";
        return OperatorPage(http, "Customers", $"""
            <h1>Customers</h1><p class="muted">Users with saved cards or payments, by user id.</p>
            <form method="get" action="/shop/operator/customers" id="customer-filters">
              {Field("User id (or its start)", "user", "filter-user", prefix, problem)}
              <button type="submit" id="filter">Show</button>
            </form>
            {(problem is null ? CustomerTable(rows.Take(PageSize)) : "")}{more}
            """, problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    /// <summary>A customer's cards, payments and charges, and the form that charges one of their cards (with what was entered and its problem).</summary>
    private static async Task<IResult> CustomerPageAsync(HttpContext http, string userId, ChargeEntry entry, FieldProblem? problem, int status, CancellationToken ct)
    {
        var services = http.RequestServices;
        var cards = await services.GetRequiredService<WalletService>().ListAsync(userId, ct);
        var payments = await services.GetRequiredService<PaymentStore>().ListAsync(new PaymentFilter(UserId: userId), Glance, ct);
        if (cards.Count == 0 && payments.Count == 0)
        {
            return OperatorPage(http, "Customer", $"""<h1>No such customer</h1><p id="no-customer">{E(userId)} has no saved card and no payment here.</p><p><a href="/shop/operator/customers">Customers</a></p>""", StatusCodes.Status404NotFound);
        }

        var charges = await services.GetRequiredService<RetryLedger>().ListChargesAsync(new ChargeFilter(UserId: userId), Glance, ct);
        var chargeable = cards.Where(WalletService.IsChargeable).ToList();
        var cardRows = string.Concat(cards.Select(c => $"""
            <tr data-token="{E(c.PaymentTokenId)}" data-status="{E(c.Status)}"><td class="word">{E(c.Brand)}</td><td class="word masked">{E(c.MaskedCard)}</td><td class="word">{E(CardExpiry.Format(c.Expiry))}</td>
            <td class="word">{E(CardWord(c.Status))}</td><td>{(WalletService.IsChargeable(c) ? "may be charged" : "not without the customer")}{(c.Attention is { } attention ? $"""<p class="muted">{E(attention)}</p>""" : "")}</td></tr>
            """));
        var chargeForm = chargeable.Count == 0
            ? $"""<p class="notice" id="no-card">{E(userId)} has no active saved card that allows charges without them: nothing can be charged. <a href="/shop/operator/customers">Back to the customers</a></p>"""
            : $"""
                <h2 id="charge-heading">Charge a saved card</h2><p class="muted">An unscheduled merchant-initiated charge: the customer is not present.</p>
                <form method="post" action="/shop/operator/customers/{E(Uri.EscapeDataString(userId))}/charge" id="charge-form" aria-labelledby="charge-heading">
                  {Csrf(http)}
                  <input type="hidden" name="chargeId" value="op_{Guid.NewGuid():N}">
                  {FormProblem(problem, "paymentTokenId", "amount", "currency", "reason")}
                  <fieldset{Invalid(problem, "paymentTokenId", "card")}><legend>Card</legend>{Hint(problem, "paymentTokenId", "card")}
                    {string.Concat(chargeable.Select(c => $"""<label><input type="radio" name="paymentTokenId" value="{E(c.PaymentTokenId)}"{(c.PaymentTokenId == entry.PaymentTokenId || (entry.PaymentTokenId is null && chargeable.Count == 1) ? " checked" : "")}> <span class="word">{E(c.Brand)}</span> <span class="word">{E(c.MaskedCard)}</span> <span class="word">expires {E(CardExpiry.Format(c.Expiry))}</span></label>"""))}
                  </fieldset>
                  {Field("Amount", "amount", "amount", entry.Amount, problem)}
                  {Field("Currency", "currency", "currency", entry.Currency, problem)}
                  {Field("Reason", "reason", "reason", entry.Reason, problem)}
                  <button type="submit" id="charge">Charge</button>
                </form>
                """;
        var user = Uri.EscapeDataString(userId);
        return OperatorPage(http, "Customer", $"""
            <h1>Customer <span class="id">{E(userId)}</span></h1>
            <h2>Saved cards</h2>
            {(cards.Count == 0 ? """<p class="muted">No saved cards.</p>""" : $"""<table class="list" id="cards"><thead><tr><th>Brand</th><th>Card</th><th>Expires</th><th>Status</th><th>Without the customer</th></tr></thead><tbody>{cardRows}</tbody></table>""")}
            {chargeForm}
            <h2>Payments</h2>{PaymentTable(payments)}<p><a href="/shop/operator/payments?user={E(user)}">All payments of {E(userId)}</a></p>
            <h2>Charges</h2>{ChargeTable(charges)}<p><a href="/shop/operator/charges?user={E(user)}">All charges of {E(userId)}</a></p>
            """, status);
    }

    private static async Task<IResult> ChargeAsync(HttpContext http, string userId, ChargeService charges, WalletService wallet, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var entry = new ChargeEntry(Blank(form["paymentTokenId"]), form["amount"].ToString().Trim(), form["currency"].ToString().Trim(), form["reason"].ToString());
        var parsed = decimal.TryParse(entry.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount);
        // The chargeId came with the form: submitting it twice charges once.
        var request = new ChargeRequest(userId, amount, entry.Currency, entry.Reason, form["chargeId"].ToString(), entry.PaymentTokenId);
        var problem = entry.PaymentTokenId is null ? new FieldProblem("paymentTokenId", "Choose the card to charge.")
            : !parsed ? new FieldProblem("amount", "Enter the amount as a number such as 5.00.")
            : ChargeService.Check(request) ?? await charges.CheckCardAsync(request, ct);
        if (problem is not null)
        {
            return await CustomerPageAsync(http, userId, entry, problem, StatusCodes.Status400BadRequest, ct);
        }

        var result = await charges.ChargeAsync(request, ct);
        if (result is { Status: PaymentStatuses.Refused, Replayed: false })
        {
            // Refused before any charge (the card, the gateway): nothing happened, so the form comes back with a new chargeId.
            var field = result.ResultCode == ResultCodes.TokenInvalid ? "paymentTokenId" : "charge";
            return await CustomerPageAsync(http, userId, entry, new FieldProblem(field, result.Sentence), StatusCodes.Status400BadRequest, ct);
        }

        var card = result.PaymentTokenId is { } token ? await wallet.FindAsync(token, ct) : null;
        return OperatorPage(http, "Charge", $"""
            <h1>{E(ChargeHeading(result.Status))}</h1>
            <p id="charge-result" data-status="{E(result.Status)}" data-replayed="{(result.Replayed ? "true" : "false")}">{E(result.Sentence)}</p>
            {(result.Replayed ? """<p id="replay" class="notice">This chargeId was used before: this is the recorded result of that charge, nothing was charged again.</p>""" : "")}
            <table>
              <tr><th>Customer</th><td class="id"><a href="/shop/operator/customers/{E(Uri.EscapeDataString(userId))}">{E(userId)}</a></td></tr>
              <tr><th>Amount</th><td class="word">{E(result.Amount.ToString(CultureInfo.InvariantCulture))} {E(result.Currency)}</td></tr>
              <tr><th>Card</th><td id="charged-card" data-token="{E(result.PaymentTokenId)}"><span class="word">{(card is null ? "none" : $"{E(card.Brand)}</span> <span class=\"word\">{E(card.MaskedCard)}")}</span></td></tr>
              <tr><th>Order</th><td class="id"><a id="order-number" href="/shop/operator/payments/{E(Uri.EscapeDataString(result.OutTradeNo))}">{E(result.OutTradeNo)}</a></td></tr>
              <tr><th>Charge id</th><td class="id">{E(result.ChargeId)}</td></tr>
            </table>
            {(result.RetryNote is { } note ? $"<p id=\"retry-note\" class=\"notice\">{E(note)}</p>" : "")}
            <p><a href="/shop/operator/charges/{E(Uri.EscapeDataString(result.ChargeId))}">Attempts and retries</a> · <a href="/shop/operator/customers/{E(Uri.EscapeDataString(userId))}">Another charge</a></p>
            """);
    }

    private static async Task<IResult> PaymentsAsync(HttpContext http, string? status, string? kind, string? user, string? older, PaymentStore payments, CancellationToken ct)
    {
        var filter = new PaymentFilter(Blank(status), Blank(user), Blank(kind), PageMark.Parse(older));
        var problem = filter.Status is { } s && !PaymentWords.ContainsKey(s) ? new FieldProblem("status", "Choose a status from the list.")
            : filter.Kind is { } k && !Kinds.ContainsKey(k) ? new FieldProblem("kind", "Choose a kind from the list.")
            : filter.UserId is { Length: > 64 } ? new FieldProblem("user", "A user id is at most 64 characters.")
            : Blank(older) is not null && filter.Older is null ? new FieldProblem("older", "This link to older payments is broken; start from the newest.")
            : null;
        var rows = problem is null ? await payments.ListAsync(filter, PageSize + 1, ct) : [];
        var more = rows.Count > PageSize
            ? $"""<p><a id="older" href="/shop/operator/payments{Query(("status", filter.Status), ("kind", filter.Kind), ("user", filter.UserId), ("older", new PageMark(rows[PageSize - 1].CreatedAt, rows[PageSize - 1].OutTradeNo).Text))}">Older payments</a></p>"""
            : "";
        return OperatorPage(http, "Payments", $"""
            <h1>Payments</h1><p class="muted">Checkouts and charges, newest first.</p>
            <form method="get" action="/shop/operator/payments" id="payment-filters">
              {FormProblem(problem, "status", "kind", "user")}
              {Select("Status", "status", "filter-status", PaymentWords, filter.Status, problem)}
              {Select("Kind", "kind", "filter-kind", Kinds, filter.Kind, problem)}
              {Field("Customer (user id)", "user", "filter-user", filter.UserId, problem)}
              <button type="submit" id="filter">Show</button>
            </form>
            {(problem is null ? PaymentTable(rows.Take(PageSize)) : "")}{more}
            """, problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    /// <summary>A payment with its refunds, and the form that refunds it (with what was entered and its problem).</summary>
    private static async Task<IResult> PaymentPageAsync(HttpContext http, string outTradeNo, RefundEntry? entry, FieldProblem? problem, int status, CancellationToken ct)
    {
        var services = http.RequestServices;
        if (await services.GetRequiredService<PaymentStore>().FindAsync(outTradeNo, ct) is not { } payment)
        {
            return OperatorPage(http, "Payment", """<h1>No such payment</h1><p id="no-payment">No payment has this order number.</p><p><a href="/shop/operator/payments">Payments</a></p>""", StatusCodes.Status404NotFound);
        }

        var refunds = await services.GetRequiredService<RefundLedger>().ListForPaymentAsync(outTradeNo, 50, ct);
        var card = payment.PaymentTokenId is { } token ? await services.GetRequiredService<WalletService>().FindAsync(token, ct) : null;
        // What may still go back: the amount paid less every refund that went or may go through.
        var refundable = payment.Status == PaymentStatuses.Success
            ? payment.AmountMinor - refunds.Where(r => r.Status is not (RefundStates.Failed or RefundStates.Refused)).Sum(r => r.AmountMinor)
            : 0;
        entry ??= new RefundEntry(refundable > 0 ? Currencies.FromMinorUnits(refundable, payment.Currency).ToString(CultureInfo.InvariantCulture) : "", "Customer request");
        var refundRows = string.Concat(refunds.Select(r => $"""
            <tr data-status="{E(r.Status)}"><td class="id">{E(r.OutRefundNo)}</td><td class="word">{E(Money(r.AmountMinor, r.Currency))}</td><td class="word">{E(RefundWords.GetValueOrDefault(r.Status, r.Status))}</td><td>{E(When(r.CreatedAt))}</td><td>{E(r.ResultMsg)}</td></tr>
            """));
        var refundForm = refundable > 0
            ? $"""
                <h2 id="refund-heading">Refund this payment</h2><p class="muted">Up to {E(Money(refundable, payment.Currency))} can go back to the card it was paid with.</p>
                <form method="post" action="/shop/operator/payments/{E(Uri.EscapeDataString(outTradeNo))}/refund" id="refund-form" aria-labelledby="refund-heading">
                  {Csrf(http)}
                  <input type="hidden" name="refundId" value="op_{Guid.NewGuid():N}">
                  {FormProblem(problem, "amount", "reason")}
                  {Field($"Amount ({E(payment.Currency)})", "amount", "refund-amount", entry.Amount, problem)}
                  {Field("Reason", "reason", "refund-reason", entry.Reason, problem)}
                  <button type="submit" id="refund">Refund</button>
                </form>
                """
            : $"""<p class="muted" id="no-refund">{(payment.Status == PaymentStatuses.Success ? "Refunded in full: nothing more can go back." : "Only a paid payment can be refunded.")}</p>""";
        return OperatorPage(http, "Payment", $"""
            <h1>Payment <span class="word">{E(Money(payment.AmountMinor, payment.Currency))}</span> <span class="word" id="payment-status" data-status="{E(payment.Status)}">{E(PaymentWords.GetValueOrDefault(payment.Status, payment.Status))}</span></h1>
            <table id="payment">
              <tr><th>Order</th><td class="id">{E(payment.OutTradeNo)}</td></tr>
              <tr><th>Customer</th><td class="id"><a href="/shop/operator/customers/{E(Uri.EscapeDataString(payment.UserId))}">{E(payment.UserId)}</a></td></tr>
              <tr><th>Kind</th><td>{E(Kinds.GetValueOrDefault(payment.Kind, payment.Kind))}{(payment.Attempt > 1 ? $", retry {payment.Attempt}" : "")}</td></tr>
              <tr><th>Card</th><td><span class="word">{(card is null ? "none" : $"{E(card.Brand)}</span> <span class=\"word\">{E(card.MaskedCard)}")}</span></td></tr>
              {(payment.Charge is { } charge ? $"""<tr><th>Charge</th><td class="id"><a href="/shop/operator/charges/{E(Uri.EscapeDataString(charge))}">{E(charge)}</a></td></tr>""" : "")}
              {(payment.ResultMsg is { } message ? $"""<tr><th>Answer</th><td>{E(message)} <span class="id">({E(payment.ResultCode)})</span></td></tr>""" : "")}
              <tr><th>Made</th><td>{E(When(payment.CreatedAt))}</td></tr>
            </table>
            <h2>Refunds</h2>
            {(refunds.Count == 0 ? """<p class="muted" id="no-refunds">No refunds.</p>""" : $"""<table class="list" id="refunds"><thead><tr><th>Refund number</th><th>Amount</th><th>Status</th><th>Asked</th><th>Answer</th></tr></thead><tbody>{refundRows}</tbody></table>""")}
            {refundForm}
            """, status);
    }

    private static async Task<IResult> RefundAsync(HttpContext http, string outTradeNo, RefundService refunds, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var entry = new RefundEntry(form["amount"].ToString().Trim(), form["reason"].ToString());
        var parsed = decimal.TryParse(entry.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount);
        // The refundId came with the form: submitting it twice refunds once.
        var request = new RefundOrder(outTradeNo, amount, form["refundId"].ToString(), entry.Reason);
        if ((parsed ? RefundService.Check(request) : new FieldProblem("amount", "Enter the amount as a number such as 2.50.")) is { } problem)
        {
            return await PaymentPageAsync(http, outTradeNo, entry, problem, StatusCodes.Status400BadRequest, ct);
        }

        var result = await refunds.RefundAsync(request, ct);
        if (result is { Status: RefundStates.Refused, Replayed: false })
        {
            // Refused (too much, too many decimals, the gateway unreachable): nothing went back, so the form comes back with a new refundId.
            var field = result.ResultCode is ResultCodes.AmountInvalid or ResultCodes.RefundAmountExceeded or ResultCodes.CurrencyInvalid ? "amount" : "refund";
            return await PaymentPageAsync(http, outTradeNo, entry, new FieldProblem(field, result.Sentence), StatusCodes.Status400BadRequest, ct);
        }

        return OperatorPage(http, "Refund", $"""
            <h1>{E(RefundHeading(result.Status))}</h1>
            <p id="refund-result" data-status="{E(result.Status)}" data-replayed="{(result.Replayed ? "true" : "false")}">{E(result.Sentence)}</p>
            <table>
              <tr><th>Payment</th><td class="id"><a href="/shop/operator/payments/{E(Uri.EscapeDataString(result.Payment))}">{E(result.Payment)}</a></td></tr>
              <tr><th>Amount</th><td class="word">{E(result.Amount.ToString(CultureInfo.InvariantCulture))} {E(result.Currency)}</td></tr>
              <tr><th>Refund number</th><td id="refund-number" class="id">{E(result.OutRefundNo)}</td></tr>
            </table>
            <p><a id="back-to-payment" href="/shop/operator/payments/{E(Uri.EscapeDataString(result.Payment))}">Back to the payment</a></p>
            """);
    }

    private static async Task<IResult> ChargesAsync(HttpContext http, string? status, string? user, string? older, RetryLedger retries, CancellationToken ct)
    {
        var filter = new ChargeFilter(Blank(status), Blank(user), PageMark.Parse(older));
        var problem = filter.Status is { } s && !PaymentWords.ContainsKey(s) ? new FieldProblem("status", "Choose a status from the list.")
            : filter.UserId is { Length: > 64 } ? new FieldProblem("user", "A user id is at most 64 characters.")
            : Blank(older) is not null && filter.Older is null ? new FieldProblem("older", "This link to older charges is broken; start from the newest.")
            : null;
        var rows = problem is null ? await retries.ListChargesAsync(filter, PageSize + 1, ct) : [];
        var more = rows.Count > PageSize
            ? $"""<p><a id="older" href="/shop/operator/charges{Query(("status", filter.Status), ("user", filter.UserId), ("older", new PageMark(rows[PageSize - 1].CreatedAt, rows[PageSize - 1].ChargeId).Text))}">Older charges</a></p>"""
            : "";
        return OperatorPage(http, "Charges", $"""
            <h1>Charges</h1><p class="muted">Charges without the customer, newest first; a charge's status is its latest attempt's.</p>
            <form method="get" action="/shop/operator/charges" id="charge-filters">
              {FormProblem(problem, "status", "user")}
              {Select("Status", "status", "filter-status", PaymentWords, filter.Status, problem)}
              {Field("Customer (user id)", "user", "filter-user", filter.UserId, problem)}
              <button type="submit" id="filter">Show</button>
            </form>
            {(problem is null ? ChargeTable(rows.Take(PageSize)) : "")}{more}
            """, problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ChargeHistoryAsync(HttpContext http, string chargeId, ChargeService charges, CancellationToken ct)
    {
        if (await charges.HistoryAsync(chargeId, ct) is not { } history)
        {
            return OperatorPage(http, "Charge", "<h1>No such charge</h1><p>No charge has this charge id.</p>", StatusCodes.Status404NotFound);
        }

        var rows = string.Concat(history.Attempts.Select(a => $"""
            <tr data-attempt="{a.Attempt}" data-status="{E(a.Status)}"><td>{a.Attempt}</td><td class="word">{E(PaymentWords.GetValueOrDefault(a.Status, a.Status))}</td><td class="word">{E(a.ResultCode)}</td><td class="id"><a href="/shop/operator/payments/{E(Uri.EscapeDataString(a.OutTradeNo))}">{E(a.OutTradeNo)}</a></td>
            <td>{(a.AdviceCategory is null && a.MerchantAdviceCode is null ? "" : $"category {E(a.AdviceCategory?.ToString(CultureInfo.InvariantCulture) ?? "-")}, MAC {E(a.MerchantAdviceCode ?? "-")}")}</td>
            <td class="word">{E(a.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} UTC</td></tr>
            """));
        // Six columns do not fit a phone: the table scrolls in its own box, status and code first.
        return OperatorPage(http, "Charge", $"""
            <h1>{E(ChargeHeading(history.Status))}</h1>
            <p class="id">{E(history.Amount.ToString(CultureInfo.InvariantCulture))} {E(history.Currency)} for <a href="/shop/operator/customers/{E(Uri.EscapeDataString(history.UserId))}">{E(history.UserId)}</a>, charge id {E(history.ChargeId)}</p>
            <div class="wide" tabindex="0" role="region" aria-label="Attempts"><table id="attempts"><tr><th>Attempt</th><th>Status</th><th>Code</th><th>Order</th><th>Network advice</th><th>When</th></tr>{rows}</table></div>
            <p id="retry-plan" class="notice" data-next="{E(history.NextRetryAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}">{E(history.RetryNote ?? "No retry planned.")}</p>
            <p><a href="/shop/operator/charges">All charges</a></p>
            """);
    }

    private static string CustomerTable(IEnumerable<CustomerSummary> customers)
    {
        var rows = string.Concat(customers.Select(c => $"""
            <tr data-user="{E(c.UserId)}"><td class="{UserClass(c.UserId)}"><a href="/shop/operator/customers/{E(Uri.EscapeDataString(c.UserId))}">{E(c.UserId)}</a></td><td>{c.ActiveCards}</td><td>{(c.LastPaymentAt is { } at ? E(When(at)) : "none")}</td></tr>
            """));
        return rows.Length == 0
            ? """<p class="muted" id="customers">No customers yet: a customer appears once they save a card or pay.</p>"""
            : $"""<table class="list" id="customers"><thead><tr><th>Customer</th><th>Active cards</th><th>Last payment</th></tr></thead><tbody>{rows}</tbody></table>""";
    }

    private static string PaymentTable(IEnumerable<Payment> payments)
    {
        var rows = string.Concat(payments.Select(p => $"""
            <tr data-order="{E(p.OutTradeNo)}" data-status="{E(p.Status)}"><td class="id"><a href="/shop/operator/payments/{E(Uri.EscapeDataString(p.OutTradeNo))}">{E(p.OutTradeNo)}</a></td><td class="{UserClass(p.UserId)}">{E(p.UserId)}</td>
            <td class="word">{E(Money(p.AmountMinor, p.Currency))}</td><td class="word">{E(PaymentWords.GetValueOrDefault(p.Status, p.Status))}</td><td>{E(When(p.CreatedAt))}</td></tr>
            """));
        return rows.Length == 0
            ? """<p class="muted" id="payments">No payments.</p>"""
            : $"""<table class="list" id="payments"><thead><tr><th>Order</th><th>Customer</th><th>Amount</th><th>Status</th><th>Made</th></tr></thead><tbody>{rows}</tbody></table>""";
    }

    private static string ChargeTable(IEnumerable<ChargeSummary> charges)
    {
        var rows = string.Concat(charges.Select(c => $"""
            <tr data-charge="{E(c.ChargeId)}" data-status="{E(c.Status)}"><td class="id"><a href="/shop/operator/charges/{E(Uri.EscapeDataString(c.ChargeId))}">{E(c.ChargeId)}</a></td><td class="{UserClass(c.UserId)}">{E(c.UserId)}</td>
            <td class="word">{E(Money(c.AmountMinor, c.Currency))}</td><td class="word">{E(PaymentWords.GetValueOrDefault(c.Status, c.Status))}{(c.Attempts > 1 ? $" (attempt {c.Attempts})" : "")}</td><td>{E(When(c.CreatedAt))}</td></tr>
            """));
        return rows.Length == 0
            ? """<p class="muted" id="charges">No charges.</p>"""
            : $"""<table class="list" id="charges"><thead><tr><th>Charge id</th><th>Customer</th><th>Amount</th><th>Status</th><th>Made</th></tr></thead><tbody>{rows}</tbody></table>""";
    }

    /// <summary>An operator page: the operator's own links above the body.</summary>
    private static IResult OperatorPage(HttpContext http, string title, string body, int status = StatusCodes.Status200OK) => Page(http, title, $"""
        <nav aria-label="Operator" id="operator-nav"><a href="/shop/operator">Dashboard</a><a href="/shop/operator/customers">Customers</a><a href="/shop/operator/payments">Payments</a><a href="/shop/operator/charges">Charges</a><a href="/shop/operator/disputes">Disputes</a>
        <form method="post" action="/shop/operator/logout">{Csrf(http)}<button type="submit" id="operator-signout">Sign out</button></form></nav>
        {body}
        """, status);

    /// <summary>A text input showing what was entered, and the problem next to it when it is this field's.</summary>
    private static string Field(string label, string name, string id, string? value, FieldProblem? problem) =>
        $"""<label>{label}<input name="{name}" id="{id}" value="{E(value)}"{Invalid(problem, name, id)}></label>{Hint(problem, name, id)}""";

    private static string Select(string label, string name, string id, IReadOnlyDictionary<string, string> choices, string? chosen, FieldProblem? problem) =>
        $"""<label>{label}<select name="{name}" id="{id}"{Invalid(problem, name, id)}><option value="">any</option>{string.Concat(choices.Select(c => $"""<option value="{E(c.Key)}"{(c.Key == chosen ? " selected" : "")}>{E(c.Value)}</option>"""))}</select></label>{Hint(problem, name, id)}""";

    private static string Invalid(FieldProblem? problem, string name, string id) =>
        problem?.Field == name ? $""" aria-invalid="true" aria-describedby="hint-{id}" """ : "";

    private static string Hint(FieldProblem? problem, string name, string id) =>
        problem?.Field == name ? $"""<span class="hint" id="hint-{id}" role="alert">{E(problem.Message)}</span>""" : "";

    /// <summary>A problem no field of the form shows (a refusal, a reused id), above the form's fields.</summary>
    private static string FormProblem(FieldProblem? problem, params string[] fields) =>
        problem is not null && !fields.Contains(problem.Field) ? $"""<p class="hint" id="form-problem" role="alert" data-field="{E(problem.Field)}">{E(problem.Message)}</p>""" : "";

    private static string ChargeHeading(string status) => status switch
    {
        PaymentStatuses.Success => "Charged",
        PaymentStatuses.Failed => "Charge declined",
        PaymentStatuses.Closed => "Charge closed without payment",
        PaymentStatuses.Refused => "Not charged",
        _ => "Charge pending",
    };

    private static string RefundHeading(string status) => status switch
    {
        RefundStates.Success => "Refunded",
        RefundStates.Pending => "Refund pending",
        RefundStates.Failed => "Refund failed",
        RefundStates.Refused => "Not refunded",
        _ => "Refund outcome not known yet",
    };

    // A payment's (and a charge's) status and a refund's, in words, by the stored value (the filters' values).
    private static readonly Dictionary<string, string> PaymentWords = new(StringComparer.Ordinal)
    {
        [PaymentStatuses.Success] = "paid",
        [PaymentStatuses.Pending] = "pending",
        [PaymentStatuses.Created] = "outcome not known yet",
        [PaymentStatuses.Failed] = "declined",
        [PaymentStatuses.Closed] = "closed",
        [PaymentStatuses.Refused] = "refused",
    };

    private static readonly Dictionary<string, string> RefundWords = new(StringComparer.Ordinal)
    {
        [RefundStates.Success] = "refunded",
        [RefundStates.Pending] = "pending",
        [RefundStates.Created] = "outcome not known yet",
        [RefundStates.Failed] = "failed",
        [RefundStates.Refused] = "refused",
    };

    private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
    {
        [PaymentKinds.Checkout] = "checkout (customer present)",
        [PaymentKinds.Mit] = "charge without the customer",
    };

    private static string CardWord(string status) => status switch
    {
        TokenStatuses.Activated => "active",
        TokenStatuses.Deleted => "removed",
        _ => status.ToLowerInvariant(),
    };

    // A user id (or a case id) of a word's length stays whole; a longer one is an id that may wrap (as Layout tells them apart).
    private static string UserClass(string userId) => userId.Length <= 24 ? "word" : "id";

    private static string Money(long minor, string currency) => $"{Currencies.FromMinorUnits(minor, currency).ToString(CultureInfo.InvariantCulture)} {currency}";

    private static string When(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>A list link's query string, with only the parameters that have a value.</summary>
    private static string Query(params (string Name, string? Value)[] parameters) =>
        E("?" + string.Join("&", parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}")));

    /// <summary>What the charge form had: shown again when it comes back with a problem.</summary>
    private sealed record ChargeEntry(string? PaymentTokenId, string Amount, string Currency, string Reason)
    {
        public static readonly ChargeEntry Blank = new(null, "", "USD", "Top-up");
    }

    /// <summary>What the refund form had: shown again when it comes back with a problem.</summary>
    private sealed record RefundEntry(string Amount, string Reason);
}
