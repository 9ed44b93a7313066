using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenPay.Client;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
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
        app.MapGet("/shop/signin", SignIn);
        var forms = app.MapGroup("").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        forms.MapPost("/shop/signin", SignInAsync);
        forms.MapPost("/shop/signout", SignOutAsync);

        var shopper = app.MapGroup("/shop").RequireAuthorization(MerchantSecurity.Shopper);
        shopper.MapGet("/dropin", DropinPageAsync);
        shopper.MapGet("/return", ReturnAsync);
        shopper.MapGet("/wallet", WalletAsync);
        var shopperForms = shopper.MapGroup("").AddEndpointFilter(GuardFormAsync).DisableAntiforgery();
        shopperForms.MapPost("/checkout", CheckoutAsync);
        shopperForms.MapPost("/dropin/pay", DropinPayAsync);
        shopperForms.MapPost("/wallet/remove", RemoveAsync);
    }

    private static IResult Home(HttpContext http)
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
            <form method="post" action="/shop/checkout">
              {Csrf(http)}
              <p>Pay with:</p>
              <label><input type="radio" name="route" value="card" checked> card form on this shop</label>
              <label><input type="radio" name="route" value="hosted"> the payment page (hosted cashier)</label>
              <label><input type="radio" name="route" value="dropin"> card fields from the payment provider (Drop-in)</label>
              <fieldset><legend>Card (for the card form route)</legend>
                <label>Card number<input name="cardIdentifierNo" id="cardIdentifierNo" autocomplete="cc-number"></label>
                <label>Name on card<input name="cardHolderFullName" id="cardHolderFullName" autocomplete="cc-name"></label>
                <label>Month (MM)<input name="cardExpirationMonth" id="cardExpirationMonth"></label>
                <label>Year (YY)<input name="cardExpirationYear" id="cardExpirationYear"></label>
                <label>CVV<input name="cvv" id="cvv"></label>
              </fieldset>
              <label><input type="checkbox" name="save" value="true" id="save"> Save my card: I agree that the shop may charge it later without me being present (top-ups, usage), and I can remove it at any time.</label>
              <button type="submit" id="buy">Buy for {Price.ToString("F2", CultureInfo.InvariantCulture)} {Currency}</button>
            </form>
            """);
    }

    private static IResult SignIn(HttpContext http, string? returnUrl) => Page(http, "Sign in", $"""
        <h1>Sign in</h1><p class="muted">A demo sign-in: any name works, and it is who you are in this shop until you sign out.</p>
        <form method="post" action="/shop/signin">
          {Csrf(http)}
          <input type="hidden" name="returnUrl" value="{E(LocalPath(returnUrl))}">
          <label>Your name (letters, digits, . _ - @; at most 64)<input name="user" id="user" autocomplete="username"></label>
          <button type="submit" id="signin">Sign in</button>
        </form>
        """);

    private static async Task<IResult> SignInAsync(HttpContext http, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var user = form["user"].ToString().Trim();
        if (!IsUserId(user))
        {
            return Page(http, "Sign in", """<h1>Sign in</h1><p id="signin-error">Enter a name of 1 to 64 letters, digits or . _ - @.</p><p><a href="/shop/signin">Try again</a></p>""", StatusCodes.Status400BadRequest);
        }

        await http.SignInShopperAsync(user);
        return Results.Redirect(LocalPath(form["returnUrl"]));
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
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
                // A PCI-certified merchant's own form: the card passes through this server to the gateway and is not kept.
                var card = new CardInfo
                {
                    CardIdentifierNo = new string(form["cardIdentifierNo"].ToString().Where(char.IsAsciiDigit).ToArray()),
                    CardHolderFullName = form["cardHolderFullName"],
                    CardExpirationMonth = form["cardExpirationMonth"],
                    CardExpirationYear = form["cardExpirationYear"],
                    Cvv = form["cvv"],
                };
                return Next(await checkout.PayWithCardAsync(baseUrl, user, Price, Currency, Product, card, Buyer(http), save, ct));
        }
    }

    private static async Task<IResult> DropinPageAsync(HttpContext http, bool? save, CheckoutService checkout, IOptions<PayerMaxClientOptions> payerMax, CancellationToken ct)
    {
        var userId = http.ShopperId()!;
        var keys = await checkout.OpenDropinSessionAsync(userId, Currency, save ?? false, ct);
        var gateway = payerMax.Value.EffectiveBaseUrl.GetLeftPart(UriPartial.Authority);
        var state = JsonSerializer.Serialize(new { keys.ClientKey, keys.SessionKey, save = save ?? false, csrf = CsrfToken(http) });
        return Page(http, "Card details", $$"""
            <h1>{{E(Product)}}</h1><p class="muted">Enter your card below; it goes to the payment provider, not to this shop.</p>
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

    private static async Task<IResult> ReturnAsync(HttpContext http, string? order, CheckoutService checkout, IMerchantStore store, CancellationToken ct)
    {
        // Only the shopper's own orders: another's order number looks unknown.
        var mine = string.IsNullOrEmpty(order) ? null : await store.FindPaymentAsync(order, ct);
        var payment = mine?.UserId == http.ShopperId() ? await checkout.RefreshAsync(mine!.OutTradeNo, ct) : null;
        if (payment is null)
        {
            return Page(http, "Order", "<h1>Unknown order</h1>", StatusCodes.Status404NotFound);
        }

        var message = payment.Status switch
        {
            PaymentStatuses.Success => payment.SavesCard ? "Thank you, your payment is complete and your card is saved." : "Thank you, your payment is complete.",
            PaymentStatuses.Pending or PaymentStatuses.Created => "Your payment is being processed.",
            _ => $"The payment did not go through ({payment.ResultCode}).",
        };
        return Page(http, "Order", $"""
            <h1 id="order-status" data-status="{E(payment.Status)}">{E(message)}</h1>
            <p class="muted">Order {E(payment.OutTradeNo)}</p>
            <p><a id="wallet-link" href="/shop/wallet">Your saved cards</a></p>
            """);
    }

    private static async Task<IResult> WalletAsync(HttpContext http, WalletService wallet, CancellationToken ct)
    {
        var userId = http.ShopperId()!;
        var csrf = Csrf(http);
        var rows = string.Concat((await wallet.ListAsync(userId, ct)).Select(e => $"""
            <tr class="card" data-token="{E(e.PaymentTokenId)}" data-status="{E(e.Status)}"><td>{E(e.Brand)}</td><td class="masked">{E(e.MaskedCard)}</td><td>{E(e.Expiry?[..7])}</td><td class="status">{E(e.Status)}</td><td>{(e.MitAllowed ? "top-ups allowed" : "")}</td>
            <td>{(e.Status == "Activated" ? $"""<form method="post" action="/shop/wallet/remove">{csrf}<input type="hidden" name="token" value="{E(e.PaymentTokenId)}"><button class="remove" type="submit">Remove</button></form>""" : "")}</td></tr>
            """));
        return Page(http, "Saved cards", $"""
            <h1>Saved cards of {E(userId)}</h1>
            <table id="wallet"><tr><th>Brand</th><th>Card</th><th>Expires</th><th>Status</th><th></th><th></th></tr>{rows}</table>
            """);
    }

    private static async Task<IResult> RemoveAsync(HttpContext http, WalletService wallet, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        // RemoveAsync checks the card belongs to this shopper; another's card is left alone.
        await wallet.RemoveAsync(http.ShopperId()!, form["token"].ToString(), ct);
        return Results.Redirect("/shop/wallet");
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
