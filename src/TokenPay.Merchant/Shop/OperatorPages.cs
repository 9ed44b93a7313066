using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Wallet;
using static TokenPay.Merchant.Shop.ShopLayout;

namespace TokenPay.Merchant.Shop;

/// <summary>The operator's pages: a password login (cookie), then charging a customer's saved card without the customer, and refunds.</summary>
internal static class OperatorPages
{
    public static void MapOperatorPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/shop/operator/login", Login);
        var forms = app.MapGroup("/shop/operator").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        forms.MapPost("/login", LoginAsync);
        forms.MapPost("/logout", (Delegate)LogoutAsync);

        var signedIn = app.MapGroup("/shop/operator").RequireAuthorization(MerchantSecurity.Operator);
        signedIn.MapGet("", ChargeForm);
        signedIn.MapGet("/charges/{chargeId}", ChargeHistoryAsync);
        var actions = signedIn.MapGroup("").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        actions.MapPost("/charge", ChargeAsync);
        actions.MapPost("/refund", RefundAsync);
    }

    private static IResult Login(HttpContext http, OperatorLogin login) => Page(http, "Operator sign-in", $"""
        <h1>Operator sign-in</h1>
        {(login.IsConfigured ? "" : """<p class="muted" id="not-configured">No operator password is configured (Merchant:Operator:PasswordHash); nobody can sign in.</p>""")}
        <form method="post" action="/shop/operator/login">
          {Csrf(http)}
          <label>User<input name="user" id="operator-user" autocomplete="username"></label>
          <label>Password<input type="password" name="password" id="operator-password" autocomplete="current-password"></label>
          <button type="submit" id="operator-signin">Sign in</button>
        </form>
        """);

    private static async Task<IResult> LoginAsync(HttpContext http, OperatorLogin login)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = form["user"].ToString();
        if (!login.Verify(user, form["password"].ToString()))
        {
            return Page(http, "Operator sign-in", """<h1>Operator sign-in</h1><p id="login-error">The user or the password is wrong.</p><p><a href="/shop/operator/login">Try again</a></p>""", StatusCodes.Status401Unauthorized);
        }

        await http.SignInOperatorAsync(user);
        return Results.Redirect("/shop/operator");
    }

    private static async Task<IResult> LogoutAsync(HttpContext http)
    {
        await http.SignOutAsync(MerchantSecurity.Operator);
        return Results.Redirect("/shop/operator/login");
    }

    private static IResult ChargeForm(HttpContext http, string? user) => Page(http, "Operator", $"""
        <h1>Charge a saved card</h1><p class="muted">An unscheduled merchant-initiated charge: the customer is not present.</p>
        <form method="post" action="/shop/operator/charge">
          {Csrf(http)}
          <input type="hidden" name="chargeId" value="op_{Guid.NewGuid():N}">
          <label>User id<input name="user" id="user" value="{E(user ?? "demo_user")}"></label>
          <label>Amount<input name="amount" id="amount" value="5.00"></label>
          <label>Currency<input name="currency" id="currency" value="USD"></label>
          <label>Reason<input name="reason" id="reason" value="Top-up"></label>
          <button type="submit" id="charge">Charge</button>
        </form>
        <h2>Refund a payment</h2><p class="muted">All or part of a payment back to the card it was paid with.</p>
        <form method="post" action="/shop/operator/refund">
          {Csrf(http)}
          <input type="hidden" name="refundId" value="op_{Guid.NewGuid():N}">
          <label>Payment (order number)<input name="payment" id="refund-payment"></label>
          <label>Amount<input name="amount" id="refund-amount" value="1.00"></label>
          <label>Reason<input name="reason" id="refund-reason" value="Customer request"></label>
          <button type="submit" id="refund">Refund</button>
        </form>
        <form method="post" action="/shop/operator/logout">{Csrf(http)}<button type="submit" id="operator-signout">Sign out</button></form>
        """);

    private static async Task<IResult> ChargeAsync(HttpContext http, ChargeService charges, WalletService wallet, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var user = form["user"].ToString().Trim();
        if (!decimal.TryParse(form["amount"].ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
        {
            return NotCharged(http, "amount", "Enter the amount as a number such as 5.00.");
        }

        // The chargeId came with the form: submitting it twice charges once.
        var request = new ChargeRequest(user, amount, form["currency"].ToString(), form["reason"].ToString(), form["chargeId"].ToString());
        if (ChargeService.Check(request) is { } problem)
        {
            return NotCharged(http, problem.Field, problem.Message);
        }

        var result = await charges.ChargeAsync(request, ct);
        var card = result.PaymentTokenId is { } token ? await wallet.FindAsync(token, ct) : null;
        return Page(http, "Operator", $"""
            <h1>Charge {E(result.Status.ToLowerInvariant())}</h1>
            <p id="charge-result" data-status="{E(result.Status)}" data-replayed="{(result.Replayed ? "true" : "false")}">{E(result.Sentence)}</p>
            {(result.Replayed ? """<p id="replay" class="notice">This chargeId was used before: this is the recorded result of that charge, nothing was charged again.</p>""" : "")}
            <table>
              <tr><th>User</th><td class="id">{E(user)}</td></tr>
              <tr><th>Amount</th><td>{E(result.Amount.ToString(CultureInfo.InvariantCulture))} {E(result.Currency)}</td></tr>
              <tr><th>Card</th><td id="charged-card" class="word">{(card is null ? "none" : $"{E(card.Brand)} {E(card.MaskedCard)}")}</td></tr>
              <tr><th>Order</th><td id="order-number" class="id">{E(result.OutTradeNo)}</td></tr>
              <tr><th>Charge id</th><td class="id">{E(result.ChargeId)}</td></tr>
            </table>
            {(result.RetryNote is { } note ? $"<p id=\"retry-note\" class=\"notice\">{E(note)}</p>" : "")}
            <p><a href="/shop/operator/charges/{E(Uri.EscapeDataString(result.ChargeId))}">Attempts and retries</a> · <a href="/shop/operator?user={E(Uri.EscapeDataString(user))}">Another charge</a></p>
            """);
    }

    private static async Task<IResult> ChargeHistoryAsync(HttpContext http, string chargeId, ChargeService charges, CancellationToken ct)
    {
        if (await charges.HistoryAsync(chargeId, ct) is not { } history)
        {
            return Page(http, "Operator", "<h1>No such charge</h1><p>No charge has this charge id.</p>", StatusCodes.Status404NotFound);
        }

        var rows = string.Concat(history.Attempts.Select(a => $"""
            <tr data-attempt="{a.Attempt}" data-status="{E(a.Status)}"><td>{a.Attempt}</td><td class="word">{E(a.Status)}</td><td class="word">{E(a.ResultCode)}</td><td class="word">{E(a.OutTradeNo)}</td>
            <td>{(a.AdviceCategory is null && a.MerchantAdviceCode is null ? "" : $"category {E(a.AdviceCategory?.ToString(CultureInfo.InvariantCulture) ?? "-")}, MAC {E(a.MerchantAdviceCode ?? "-")}")}</td>
            <td class="word">{E(a.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} UTC</td></tr>
            """));
        // Six columns do not fit a phone: the table scrolls in its own box, status and code first.
        return Page(http, "Operator", $"""
            <h1>Charge {E(history.Status.ToLowerInvariant())}</h1>
            <p class="id">{E(history.Amount.ToString(CultureInfo.InvariantCulture))} {E(history.Currency)} for {E(history.UserId)}, charge id {E(history.ChargeId)}</p>
            <div class="wide" tabindex="0" role="region" aria-label="Attempts"><table id="attempts"><tr><th>Attempt</th><th>Status</th><th>Code</th><th>Order</th><th>Network advice</th><th>When</th></tr>{rows}</table></div>
            <p id="retry-plan" class="notice" data-next="{E(history.NextRetryAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}">{E(history.RetryNote ?? "No retry planned.")}</p>
            <p><a href="/shop/operator">Back</a></p>
            """);
    }

    private static async Task<IResult> RefundAsync(HttpContext http, RefundService refunds, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        if (!decimal.TryParse(form["amount"].ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
        {
            return NotRefunded(http, "amount", "Enter the amount as a number such as 2.50.");
        }

        // The refundId came with the form: submitting it twice refunds once.
        var request = new RefundOrder(form["payment"].ToString().Trim(), amount, form["refundId"].ToString(), form["reason"].ToString());
        if (RefundService.Check(request) is { } problem)
        {
            return NotRefunded(http, problem.Field, problem.Message);
        }

        var result = await refunds.RefundAsync(request, ct);
        return Page(http, "Operator", $"""
            <h1>Refund {E(result.Status.ToLowerInvariant())}</h1>
            <p id="refund-result" data-status="{E(result.Status)}" data-replayed="{(result.Replayed ? "true" : "false")}">{E(result.Sentence)}</p>
            <table>
              <tr><th>Payment</th><td class="id">{E(result.Payment)}</td></tr>
              <tr><th>Amount</th><td>{E(result.Amount.ToString(CultureInfo.InvariantCulture))} {E(result.Currency)}</td></tr>
              <tr><th>Refund number</th><td id="refund-number" class="id">{E(result.OutRefundNo)}</td></tr>
            </table>
            <p><a href="/shop/operator">Back</a></p>
            """);
    }

    private static IResult NotRefunded(HttpContext http, string field, string message) =>
        Page(http, "Operator", $"<h1>Not refunded</h1><p id=\"refund-result\" data-field=\"{E(field)}\">{E(message)}</p>", StatusCodes.Status400BadRequest);

    private static IResult NotCharged(HttpContext http, string field, string message) =>
        Page(http, "Operator", $"<h1>Not charged</h1><p id=\"charge-result\" data-field=\"{E(field)}\">{E(message)}</p>", StatusCodes.Status400BadRequest);
}
