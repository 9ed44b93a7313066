using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenPay.Client;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Shop;

/// <summary>
/// The demo shop: a product with a checkout through each route, the return page, saved cards with
/// remove, and an operator page that charges a saved card. Plain server-rendered HTML.
/// </summary>
internal static class ShopPages
{
    private const string Product = "Coffee beans, 1 kg";
    private const decimal Price = 12.00m;
    private const string Currency = "USD";

    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:0;background:#f6f4ef;color:#222}main{max-width:34rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:12px}
        label{display:block;margin-top:.6rem}input[type=text],input:not([type]){width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #bbb;border-radius:6px}
        button{margin-top:1rem;padding:.7rem 1.2rem;border:0;border-radius:8px;background:#2d6a4f;color:#fff;font-size:1rem;cursor:pointer}
        table{width:100%;border-collapse:collapse}td,th{padding:.4rem;border-bottom:1px solid #eee;text-align:left}.muted{color:#666;font-size:.9rem}nav a{margin-right:1rem}
        """;

    public static void MapShop(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home);
        app.MapPost("/shop/checkout", CheckoutAsync).DisableAntiforgery();
        app.MapGet("/shop/dropin", DropinPageAsync);
        app.MapPost("/shop/dropin/pay", DropinPayAsync).DisableAntiforgery();
        app.MapGet("/shop/return", ReturnAsync);
        app.MapGet("/shop/wallet", WalletAsync);
        app.MapPost("/shop/wallet/remove", RemoveAsync).DisableAntiforgery();
        app.MapGet("/shop/operator", Operator);
        app.MapPost("/shop/operator/charge", OperatorChargeAsync).DisableAntiforgery();
    }

    private static IResult Home(string? user) => Page("Shop", $"""
        <h1>{E(Product)}</h1><p class="muted">{Price.ToString("F2", CultureInfo.InvariantCulture)} {Currency}</p>
        <form method="post" action="/shop/checkout">
          <label>Your user id<input name="user" id="user" value="{E(user ?? "demo_user")}"></label>
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
        """, user);

    private static async Task<IResult> CheckoutAsync(HttpContext http, CheckoutService checkout, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var user = UserOf(form["user"]);
        var save = form["save"] == "true";
        var baseUrl = BaseUrl(http);
        switch (form["route"].ToString())
        {
            case "hosted":
                return Next(await checkout.PayWithHostedCashierAsync(baseUrl, user, Price, Currency, Product, save, ct));
            case "dropin":
                return Results.Redirect($"/shop/dropin?user={Uri.EscapeDataString(user)}&save={save}");
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

    private static async Task<IResult> DropinPageAsync(HttpContext http, string? user, bool? save, CheckoutService checkout, IOptions<PayerMaxClientOptions> payerMax, CancellationToken ct)
    {
        var userId = UserOf(user);
        var keys = await checkout.OpenDropinSessionAsync(userId, Currency, save ?? false, ct);
        var gateway = payerMax.Value.EffectiveBaseUrl.GetLeftPart(UriPartial.Authority);
        var state = JsonSerializer.Serialize(new { keys.ClientKey, keys.SessionKey, user = userId, save = save ?? false });
        return Page("Card details", $$"""
            <h1>{{E(Product)}}</h1><p class="muted">Enter your card below; it goes to the payment provider, not to this shop.</p>
            <div id="card"></div><p id="result"></p>
            <script src="{{E(gateway)}}/dropin/v1/dropin.js"></script>
            <script>
              var state = {{state}};
              TokenPayDropin.mount("#card", { clientKey: state.ClientKey, sessionKey: state.SessionKey,
                onPaymentToken: function (t) {
                  fetch("/shop/dropin/pay", { method: "POST", headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ paymentToken: t.paymentToken, sessionKey: state.SessionKey, user: state.user, save: state.save }) })
                    .then(function (r) { return r.json(); }).then(function (r) { window.location = r.next; });
                } });
            </script>
            """, userId);
    }

    private static async Task<IResult> DropinPayAsync(HttpContext http, DropinPayment payment, CheckoutService checkout, CancellationToken ct)
    {
        var step = await checkout.PayWithDropinAsync(BaseUrl(http), UserOf(payment.User), Price, Currency, Product, payment.PaymentToken, payment.SessionKey, Buyer(http), payment.Save, ct);
        return Results.Json(new { next = step.RedirectUrl ?? $"/shop/return?order={step.OutTradeNo}" });
    }

    private static async Task<IResult> ReturnAsync(string order, CheckoutService checkout, CancellationToken ct)
    {
        var payment = await checkout.RefreshAsync(order, ct);
        if (payment is null)
        {
            return Page("Order", "<h1>Unknown order</h1>", null, StatusCodes.Status404NotFound);
        }

        var message = payment.Status switch
        {
            PaymentStatuses.Success => payment.SavesCard ? "Thank you, your payment is complete and your card is saved." : "Thank you, your payment is complete.",
            PaymentStatuses.Pending or PaymentStatuses.Created => "Your payment is being processed.",
            _ => $"The payment did not go through ({payment.ResultCode}).",
        };
        return Page("Order", $"""
            <h1 id="order-status" data-status="{E(payment.Status)}">{E(message)}</h1>
            <p class="muted">Order {E(payment.OutTradeNo)}</p>
            <p><a id="wallet-link" href="/shop/wallet?user={E(Uri.EscapeDataString(payment.UserId))}">Your saved cards</a></p>
            """, payment.UserId);
    }

    private static async Task<IResult> WalletAsync(string? user, WalletService wallet, CancellationToken ct)
    {
        var userId = UserOf(user);
        var rows = string.Concat((await wallet.ListAsync(userId, ct)).Select(e => $"""
            <tr class="card" data-token="{E(e.PaymentTokenId)}" data-status="{E(e.Status)}"><td>{E(e.Brand)}</td><td class="masked">{E(e.MaskedCard)}</td><td>{E(e.Expiry?[..7])}</td><td class="status">{E(e.Status)}</td><td>{(e.MitAllowed ? "top-ups allowed" : "")}</td>
            <td>{(e.Status == "Activated" ? $"""<form method="post" action="/shop/wallet/remove"><input type="hidden" name="user" value="{E(userId)}"><input type="hidden" name="token" value="{E(e.PaymentTokenId)}"><button class="remove" type="submit">Remove</button></form>""" : "")}</td></tr>
            """));
        return Page("Saved cards", $"""
            <h1>Saved cards of {E(userId)}</h1>
            <table id="wallet"><tr><th>Brand</th><th>Card</th><th>Expires</th><th>Status</th><th></th><th></th></tr>{rows}</table>
            """, userId);
    }

    private static async Task<IResult> RemoveAsync(HttpContext http, WalletService wallet, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var user = UserOf(form["user"]);
        await wallet.RemoveAsync(user, form["token"].ToString(), ct);
        return Results.Redirect($"/shop/wallet?user={Uri.EscapeDataString(user)}");
    }

    private static IResult Operator(string? user) => Page("Operator", $"""
        <h1>Charge a saved card</h1><p class="muted">An unscheduled merchant-initiated charge: the customer is not present.</p>
        <form method="post" action="/shop/operator/charge">
          <input type="hidden" name="chargeId" value="op_{Guid.NewGuid():N}">
          <label>User id<input name="user" id="user" value="{E(user ?? "demo_user")}"></label>
          <label>Amount<input name="amount" id="amount" value="5.00"></label>
          <label>Currency<input name="currency" id="currency" value="{Currency}"></label>
          <label>Reason<input name="reason" id="reason" value="Top-up"></label>
          <button type="submit" id="charge">Charge</button>
        </form>
        """, user);

    private static async Task<IResult> OperatorChargeAsync(HttpContext http, ChargeService charges, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var user = UserOf(form["user"]);
        ChargeResult result;
        try
        {
            var amount = decimal.Parse(form["amount"].ToString(), NumberStyles.Number, CultureInfo.InvariantCulture);
            // The chargeId came with the form: submitting it twice charges once.
            result = await charges.ChargeAsync(new ChargeRequest(user, amount, form["currency"].ToString(), form["reason"].ToString(), form["chargeId"].ToString()), ct);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return Page("Operator", $"<h1>Not charged</h1><p id=\"charge-result\">{E(ex.Message)}</p>", user, StatusCodes.Status400BadRequest);
        }

        return Page("Operator", $"""<h1>Charge {E(result.Status)}</h1><p id="charge-result" data-status="{E(result.Status)}">{E(result.Amount.ToString(CultureInfo.InvariantCulture))} {E(result.Currency)}: {E(result.Status)} {E(result.ResultCode)}</p><p><a href="/shop/operator?user={E(Uri.EscapeDataString(user))}">Another charge</a></p>""", user);
    }

    private static IResult Next(CheckoutStep step) =>
        Results.Redirect(step.RedirectUrl ?? $"/shop/return?order={step.OutTradeNo}");

    private static BuyerInfo Buyer(HttpContext http) => new()
    {
        ClientIp = http.Connection.RemoteIpAddress?.ToString() ?? "0.0.0.0",
        UserAgent = http.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, 512)] : "unknown",
    };

    private static string BaseUrl(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<MerchantOptions>>().Value.PublicBaseUrl?.TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}";

    private static string UserOf(string? user) => string.IsNullOrWhiteSpace(user) ? "demo_user" : user.Trim()[..Math.Min(user.Trim().Length, 64)];

    private static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    private static IResult Page(string title, string body, string? user, int status = StatusCodes.Status200OK)
    {
        var nav = $"""<nav><a href="/?user={E(Uri.EscapeDataString(user ?? "demo_user"))}">Shop</a><a href="/shop/wallet?user={E(Uri.EscapeDataString(user ?? "demo_user"))}">Saved cards</a><a href="/shop/operator?user={E(Uri.EscapeDataString(user ?? "demo_user"))}">Operator</a></nav>""";
        return Results.Content($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{E(title)}</title><style>{Style}</style></head><body><main>{nav}{body}</main></body></html>", "text/html; charset=utf-8", statusCode: status);
    }

    private sealed record DropinPayment(string PaymentToken, string SessionKey, string? User, bool Save);
}
