using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenPay.Client;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using static TokenPay.Merchant.Shop.ShopLayout;

namespace TokenPay.Merchant.Shop;

/// <summary>
/// The demo shop: a shopper signs in by name (a protected cookie, not a query parameter), buys a product
/// through each route, comes back to the return page, and sees and removes only their own saved cards.
/// Plain server-rendered HTML; every post carries an antiforgery token.
/// </summary>
internal static class ShopPages
{
    private const string Product = "Coffee beans, 1 kg";
    private const decimal Price = 12.00m;
    private const string Currency = "USD";

    public static void MapShop(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home);
        app.MapGet("/favicon.ico", () => Results.Text(Favicon, "image/svg+xml"));
        app.MapGet("/shop/signin", SignIn);
        var forms = app.MapGroup("").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        // Delegate: a handler of HttpContext alone would otherwise bind as a RequestDelegate and drop its IResult.
        forms.MapPost("/shop/signin", (Delegate)SignInAsync);
        forms.MapPost("/shop/signout", (Delegate)SignOutAsync);

        var shopper = app.MapGroup("/shop").RequireAuthorization(MerchantSecurity.Shopper);
        shopper.MapGet("/dropin", DropinPageAsync);
        shopper.MapGet("/return", ReturnAsync);
        shopper.MapGet("/wallet", WalletAsync);
        var shopperForms = shopper.MapGroup("").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        shopperForms.MapPost("/checkout", CheckoutAsync);
        shopperForms.MapPost("/dropin/pay", DropinPayAsync);
        shopperForms.MapPost("/wallet/remove", RemoveAsync);
        shopperForms.MapPost("/wallet/add", SaveCardAsync);
        shopper.MapGet("/wallet/saved", SavedCardAsync);
    }

    // A coffee bean on green: the demo shop.
    private const string Favicon = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2d6a4f"/><ellipse cx="16" cy="16" rx="8" ry="11" fill="#6f4e37"/><path d="M16 6c-3 4 3 16 0 20" stroke="#2d6a4f" stroke-width="2" fill="none"/></svg>""";

    private static IResult Home(HttpContext http) => ShopFront(http, null, null, StatusCodes.Status200OK);

    /// <param name="card">The card fields as entered, shown again (never the number or the CVV) with <paramref name="hints"/> when they were refused.</param>
    private static IResult ShopFront(HttpContext http, IFormCollection? card, Dictionary<string, string>? hints, int status)
    {
        if (http.ShopperId() is null)
        {
            return Page(http, "Shop", $"""
                <h1>{E(Product)}</h1><p class="muted">{Price.ToString("F2", CultureInfo.InvariantCulture)} {Currency}</p>
                <p><a id="signin-link" href="/shop/signin">Sign in</a> to buy and to see your saved cards.</p>
                """);
        }

        return Page(http, "Shop", $"""
            <h1>{E(Product)}</h1><p class="muted">{Price.ToString("F2", CultureInfo.InvariantCulture)} {Currency}</p>
            {(hints is null ? "" : """<p class="hint" id="card-refused">The card details are not complete; see the hints below. Nothing was charged.</p>""")}
            <form method="post" action="/shop/checkout">
              {Csrf(http)}
              <p>Pay with:</p>
              <label><input type="radio" name="route" value="card" checked> card form on this shop</label>
              <label><input type="radio" name="route" value="hosted"> the payment page (hosted cashier)</label>
              <label><input type="radio" name="route" value="dropin"> card fields from the payment provider (Drop-in)</label>
              <fieldset><legend>Card (for the card form route)</legend>
                {CardFields("", card, hints)}
              </fieldset>
              <label><input type="checkbox" name="save" value="true" id="save"> Save my card: I agree that the shop may charge it later without me being present (top-ups, usage), and I can remove it at any time.</label>
              <button type="submit" id="buy">Buy for {Price.ToString("F2", CultureInfo.InvariantCulture)} {Currency}</button>
            </form>
            """, status);
    }

    private static IResult SignIn(HttpContext http, string? returnUrl) => SignInForm(http, returnUrl, null, null, StatusCodes.Status200OK);

    /// <param name="typed">The name as entered, shown again with <paramref name="error"/> when it was refused.</param>
    private static IResult SignInForm(HttpContext http, string? returnUrl, string? typed, string? error, int status) => Page(http, "Sign in", $"""
        <h1>Sign in</h1><p class="muted">A demo sign-in: any name works, and it is who you are in this shop until you sign out.</p>
        <form method="post" action="/shop/signin">
          {Csrf(http)}
          <input type="hidden" name="returnUrl" value="{E(LocalPath(returnUrl))}">
          <label>Your name (letters, digits, . _ - @; at most 64)<input name="user" id="user" autocomplete="username" value="{E(typed)}"{(error is null ? "" : " aria-invalid=\"true\" aria-describedby=\"signin-error\"")}></label>{(error is null ? "" : $"<span class=\"hint\" id=\"signin-error\">{E(error)}</span>")}
          <button type="submit" id="signin">Sign in</button>
        </form>
        """, status);

    private static async Task<IResult> SignInAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = form["user"].ToString().Trim();
        if (!IsUserId(user))
        {
            return SignInForm(http, form["returnUrl"], user, "Enter a name of 1 to 64 letters, digits or . _ - @.", StatusCodes.Status400BadRequest);
        }

        await http.SignInShopperAsync(user);
        return Results.Redirect(LocalPath(form["returnUrl"]));
    }

    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await Microsoft.AspNetCore.Authentication.AuthenticationHttpContextExtensions.SignOutAsync(http, MerchantSecurity.Shopper);
        return Results.Redirect("/");
    }

    private static async Task<IResult> CheckoutAsync(HttpContext http, CheckoutService checkout, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var user = http.ShopperId()!;
        var save = form["save"] == "true";
        var baseUrl = BaseUrl(http);
        switch (form["route"].ToString())
        {
            case "hosted":
                return Next(await checkout.PayWithHostedCashierAsync(baseUrl, user, Price, Currency, Product, save, ct));
            case "dropin":
                return Results.Redirect($"/shop/dropin?save={save}");
            default:
                // Checked here first: an incomplete card makes no order at the gateway.
                if (CardHints(form) is { Count: > 0 } hints)
                {
                    return ShopFront(http, form, hints, StatusCodes.Status422UnprocessableEntity);
                }

                return Next(await checkout.PayWithCardAsync(baseUrl, user, Price, Currency, Product, CardFrom(form), Buyer(http), save, ct));
        }
    }

    private static async Task<IResult> DropinPageAsync(HttpContext http, bool? save, CheckoutService checkout, IOptions<PayerMaxClientOptions> payerMax, CancellationToken ct)
    {
        var userId = http.ShopperId()!;
        var keys = await checkout.OpenDropinSessionAsync(userId, Currency, save ?? false, ct);
        var gateway = payerMax.Value.EffectiveBaseUrl.GetLeftPart(UriPartial.Authority);
        var state = JsonSerializer.Serialize(new { keys.ClientKey, keys.SessionKey, save = save ?? false, csrf = CsrfToken(http) });
        return Page(http, "Card details", $$"""
            <h1>{{E(Product)}}</h1>
            <p class="amount" id="dropin-amount">{{Price.ToString("F2", CultureInfo.InvariantCulture)}} {{Currency}}</p>
            <p class="notice" id="dropin-saving">{{((save ?? false) ? "Your card will be saved: the shop may charge it later without you being present (top-ups, usage); you can remove it at any time." : "Your card is used for this payment only and is not saved.")}}</p>
            <p class="muted">Enter your card below; it goes to the payment provider, not to this shop.</p>
            <div id="card"></div><p id="result"></p>
            <script src="{{E(gateway)}}/dropin/v1/dropin.js"></script>
            <script>
              var state = {{state}};
              TokenPayDropin.mount("#card", { clientKey: state.ClientKey, sessionKey: state.SessionKey,
                onPaymentToken: function (t) {
                  fetch("/shop/dropin/pay", { method: "POST", headers: { "Content-Type": "application/json", "{{MerchantSecurity.CsrfHeader}}": state.csrf },
                    body: JSON.stringify({ paymentToken: t.paymentToken, sessionKey: state.SessionKey, save: state.save }) })
                    .then(function (r) { return r.json(); }).then(function (r) { window.location = r.next; });
                } });
            </script>
            """);
    }

    private static async Task<IResult> DropinPayAsync(HttpContext http, DropinPayment payment, CheckoutService checkout, CancellationToken ct)
    {
        var step = await checkout.PayWithDropinAsync(BaseUrl(http), http.ShopperId()!, Price, Currency, Product, payment.PaymentToken, payment.SessionKey, Buyer(http), payment.Save, ct);
        return Results.Json(new { next = step.RedirectUrl ?? $"/shop/return?order={step.OutTradeNo}" });
    }

    private static async Task<IResult> ReturnAsync(HttpContext http, string? order, CheckoutService checkout, PaymentStore payments, CancellationToken ct)
    {
        // Only the shopper's own orders: another's order number looks unknown.
        var mine = string.IsNullOrEmpty(order) ? null : await payments.FindAsync(order, ct);
        var payment = mine?.UserId == http.ShopperId() ? await checkout.RefreshAsync(mine!.OutTradeNo, ct) : null;
        if (payment is null)
        {
            return Page(http, "Order", "<h1>Unknown order</h1>", StatusCodes.Status404NotFound);
        }

        var message = payment.Status switch
        {
            PaymentStatuses.Success => payment.SavesCard ? "Thank you, your payment is complete and your card is saved." : "Thank you, your payment is complete.",
            PaymentStatuses.Pending or PaymentStatuses.Created => "Your payment is being processed.",
            _ => "The payment did not go through.",
        };
        // The bank's code is one long word: under the heading, where it may wrap.
        var code = payment.Status is PaymentStatuses.Success or PaymentStatuses.Pending or PaymentStatuses.Created || payment.ResultCode is null
            ? ""
            : $"""<p id="decline-code">The bank answered <code class="id">{E(payment.ResultCode)}</code>.</p>""";
        return Page(http, "Order", $"""
            <h1 id="order-status" data-status="{E(payment.Status)}">{E(message)}</h1>{code}
            <p class="muted id">Order {E(payment.OutTradeNo)}</p>
            <p><a id="wallet-link" href="/shop/wallet">Your saved cards</a></p>
            """);
    }

    private static async Task<IResult> WalletAsync(HttpContext http, WalletService wallet, CancellationToken ct)
    {
        var userId = http.ShopperId()!;
        var csrf = Csrf(http);
        var rows = string.Concat((await wallet.ListAsync(userId, ct)).Select(e => $"""
            <tr class="card" data-token="{E(e.PaymentTokenId)}" data-status="{E(e.Status)}"><td class="word">{E(e.Brand)}</td><td class="masked word">{E(e.MaskedCard)}</td><td class="expiry word">{E(CardExpiry.Format(e.Expiry))}</td><td class="status word">{E(e.Status)}</td><td class="mit">{(e.MitAllowed && e.Status == TokenStatuses.Activated ? "top-ups allowed" : "")}{(e.Attention is { } attention ? $"""<p class="attention muted">{E(attention)}</p>""" : "")}</td>
            <td class="remove">{(e.Status == TokenStatuses.Activated ? $"""<form method="post" action="/shop/wallet/remove">{csrf}<input type="hidden" name="token" value="{E(e.PaymentTokenId)}"><button class="remove" type="submit">Remove</button></form>""" : "")}</td></tr>
            """));
        return Page(http, "Saved cards", $"""
            <h1>Saved cards of {E(userId)}</h1>
            <table id="wallet"><thead><tr><th>Brand</th><th>Card</th><th>Expires</th><th>Status</th><th>Later charges</th><th><span class="visually-hidden">Remove</span></th></tr></thead><tbody>{rows}</tbody></table>
            {SaveCardForm(http, null, null)}
            """);
    }

    private static string SaveCardForm(HttpContext http, IFormCollection? card, Dictionary<string, string>? hints) => $"""
        <h2>Save a card for later</h2><p class="muted">No payment now: the card is checked (your bank may ask you to confirm) and kept for top-ups.</p>
        <form method="post" action="/shop/wallet/add" id="save-card">
          {Csrf(http)}
          {CardFields("save-", card, hints)}
          <label><input type="checkbox" name="consent" value="true" id="save-consent"> I agree that the shop may charge this card later without me being present, and I can remove it at any time.</label>{Hint("save-", "consent", hints)}
          <button type="submit" id="save-submit">Save the card</button>
        </form>
        """;

    /// <summary>The card inputs (ids prefixed with <paramref name="idPrefix"/>), showing again what was entered except the number and the CVV, with the hints of a refusal.</summary>
    private static string CardFields(string idPrefix, IFormCollection? card, Dictionary<string, string>? hints)
    {
        string Field(string name, string label, string autocomplete) =>
            $"""<label>{label}<input name="{name}" id="{idPrefix}{name}" value="{E(name is "cardIdentifierNo" or "cvv" ? null : card?[name])}" autocomplete="{autocomplete}"{(hints?.ContainsKey(name) == true ? $" aria-invalid=\"true\" aria-describedby=\"hint-{idPrefix}{name}\"" : "")}></label>{Hint(idPrefix, name, hints)}""";
        return string.Concat(
            Field("cardIdentifierNo", "Card number", "cc-number"),
            Field("cardHolderFullName", "Name on card", "cc-name"),
            Field("cardExpirationMonth", "Month (MM)", "cc-exp-month"),
            Field("cardExpirationYear", "Year (YY)", "cc-exp-year"),
            Field("cvv", "CVV", "cc-csc"));
    }

    private static string Hint(string idPrefix, string name, Dictionary<string, string>? hints) =>
        hints?.TryGetValue(name, out var hint) == true ? $"<span class=\"hint\" id=\"hint-{idPrefix}{name}\">{E(hint)}</span>" : "";

    // A PCI-certified merchant's own form: the card passes through this server to the gateway and is not kept.
    private static CardInfo CardFrom(IFormCollection form) => new()
    {
        CardIdentifierNo = new string(form["cardIdentifierNo"].ToString().Where(char.IsAsciiDigit).ToArray()),
        CardHolderFullName = form["cardHolderFullName"],
        CardExpirationMonth = form["cardExpirationMonth"],
        CardExpirationYear = form["cardExpirationYear"],
        Cvv = form["cvv"],
    };

    private static async Task<IResult> SaveCardAsync(HttpContext http, CheckoutService checkout, WalletService wallet, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var hints = CardHints(form);
        if (form["consent"] != "true")
        {
            hints["consent"] = "Tick the box to allow later charges, or keep paying with the customer present.";
        }

        if (hints.Count > 0)
        {
            return Page(http, "Saved cards", $"""<h1>Saved cards of {E(http.ShopperId())}</h1><p class="hint" id="save-refused">The card was not saved; see the hints below.</p>{SaveCardForm(http, form, hints)}""", StatusCodes.Status422UnprocessableEntity);
        }

        var answer = await checkout.SaveCardAsync(BaseUrl(http), http.ShopperId()!, CardFrom(form), Buyer(http), ct);
        return await SaveOutcomeAsync(http, answer, wallet, ct);
    }

    // The browser comes back here from the 3DS page: the gateway says how the request ended.
    private static async Task<IResult> SavedCardAsync(HttpContext http, string? request, CheckoutService checkout, WalletService wallet, CancellationToken ct) =>
        string.IsNullOrEmpty(request)
            ? Results.Redirect("/shop/wallet")
            : await SaveOutcomeAsync(http, await checkout.SavedCardAsync(http.ShopperId()!, request, ct), wallet, ct);

    private static async Task<IResult> SaveOutcomeAsync(HttpContext http, PayerMaxResult<TokenApplicationResult> answer, WalletService wallet, CancellationToken ct)
    {
        if (answer is { IsSuccess: true, Data: { Status: OrderStatuses.Pending, RedirectUrl: { } challenge } })
        {
            return Results.Redirect(challenge);
        }

        if (answer is { IsSuccess: true, Data.Status: OrderStatuses.Success })
        {
            await wallet.SyncAsync(http.ShopperId()!, ct);
            return Results.Redirect("/shop/wallet");
        }

        var why = answer.Data?.ResultMsg ?? answer.Msg;
        return Page(http, "Saved cards", $"""<h1>The card was not saved</h1><p id="save-result">{E(why)}</p><p><a href="/shop/wallet">Back to your cards</a></p>""", StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> RemoveAsync(HttpContext http, WalletService wallet, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        // RemoveAsync checks the card belongs to this shopper; another's card is left alone.
        await wallet.RemoveAsync(http.ShopperId()!, form["token"].ToString(), ct);
        return Results.Redirect("/shop/wallet");
    }

    /// <summary>What is missing or wrong in the card fields, by field, in words a shopper reads.</summary>
    private static Dictionary<string, string> CardHints(IFormCollection form)
    {
        var hints = new Dictionary<string, string>(StringComparer.Ordinal);
        var pan = new string(form["cardIdentifierNo"].ToString().Where(char.IsAsciiDigit).ToArray());
        if (!TokenPay.Protocol.Cards.IsValidPan(pan)) hints["cardIdentifierNo"] = pan.Length == 0 ? "Enter the card number." : "This card number is not valid; check the digits.";
        if (form["cardHolderFullName"].ToString().Trim().Length == 0) hints["cardHolderFullName"] = "Enter the name printed on the card.";
        if (!int.TryParse(form["cardExpirationMonth"], NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12) hints["cardExpirationMonth"] = "Enter the expiry month as two digits, 01 to 12.";
        if (form["cardExpirationYear"].ToString() is not { Length: 2 } year || !year.All(char.IsAsciiDigit)) hints["cardExpirationYear"] = "Enter the expiry year as two digits, e.g. 30.";
        if (form["cvv"].ToString() is not { Length: 3 or 4 } cvv || !cvv.All(char.IsAsciiDigit)) hints["cvv"] = "Enter the 3 or 4 digit security code.";
        return hints;
    }

    private static IResult Next(CheckoutStep step) =>
        Results.Redirect(step.RedirectUrl ?? $"/shop/return?order={step.OutTradeNo}");

    private static BuyerInfo Buyer(HttpContext http) => new()
    {
        ClientIp = http.Connection.RemoteIpAddress?.ToString() ?? "0.0.0.0",
        UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, 512)] : "unknown",
    };

    private static bool IsUserId(string user) =>
        user.Length is >= 1 and <= 64 && user.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@');

    // Only a path on this site: a sign-in never redirects elsewhere.
    private static string LocalPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private sealed record DropinPayment(string PaymentToken, string SessionKey, bool Save);
}
