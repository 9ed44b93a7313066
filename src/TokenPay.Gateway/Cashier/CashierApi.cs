using System.Globalization;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Pages;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Cashier;

/// <summary>
/// The hosted cashier (docs/protocol.md 2.1 mode E): a card form for one Hosted_Checkout order. It pays (or,
/// with amount 0 and mitType, only saves the card), sends a 3DS card through the challenge page, and
/// returns the browser to frontCallbackUrl. The link works while the order is PENDING and unpaid.
/// </summary>
internal static class CashierApi
{
    // The tag these pages always had in the OpenAPI document (it was this class's name): generated clients name their classes after it.
    private const string DocumentTag = "CashierEndpoints";

    public static IEndpointRouteBuilder MapCashierApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cashier/{cashierId}", ShowAsync).WithTags(DocumentTag);
        app.MapPost("/cashier/{cashierId}", SubmitAsync).WithTags(DocumentTag).DisableAntiforgery();
        return app;
    }

    private static async Task ShowAsync(HttpContext http, string cashierId, OrderStore orders, TimeProvider clock)
    {
        var order = await OpenOrderAsync(http, cashierId, orders, clock);
        if (order is not null)
        {
            await RenderAsync(http, StatusCodes.Status200OK, cashierId, order, null, null, null);
        }
    }

    private static async Task SubmitAsync(HttpContext http, string cashierId, OrderStore orders, CardVault vault, PaymentProcessor payments, TimeProvider clock)
    {
        // Once the card is read, the customer's connection decides nothing: vaulting and authorizing run to their end.
        var cancellationToken = CancellationToken.None;
        var order = await OpenOrderAsync(http, cashierId, orders, clock);
        if (order is null)
        {
            return;
        }

        if (await PageRequests.ReadFormAsync(http) is not { } form)
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status400BadRequest, "Card details not readable", "The card details could not be read; go back and submit the form again.");
            return;
        }

        var entered = CardForm.Read(form);
        var country = AsksCountry(order) ? form["country"].ToString().Trim().ToUpperInvariant() : order.Country;
        var problem = CardRules.Check(entered, clock.GetUtcNow(), out var card)
            ?? (Countries.IsKnown(country) ? null : new CardProblem("country", ResultCodes.ParamsInvalid, "country is not an ISO 3166 alpha-2 country code.", "Choose the country you are paying from."));
        if (problem is not null)
        {
            await RenderAsync(http, StatusCodes.Status422UnprocessableEntity, cashierId, order, entered, problem, country);
            return;
        }

        var sealedCard = vault.Protect(card!);
        if (await orders.AttachCardAsync(order.Id, sealedCard, country, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken) is not { } cardId)
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status410Gone, "Payment already submitted", "A card was already submitted for this payment.");
            return;
        }

        var result = await payments.AuthorizeAsync(order with { CardId = cardId, Card = CardDisplay.From(sealedCard), Country = country }, card!, authenticated: false, storedBy: null, cancellationToken);
        if (result.ChallengeId is { } challengeId)
        {
            http.Response.Redirect($"/threeds/{challengeId}");
            return;
        }

        await HtmlPage.ReturnToMerchantAsync(http, order.FrontCallbackUrl, result.Status == OrderStatuses.Success);
    }

    private static async Task<OrderRecord?> OpenOrderAsync(HttpContext http, string cashierId, OrderStore orders, TimeProvider clock)
    {
        var order = await orders.FindByCashierAsync(cashierId, http.RequestAborted);
        if (order is null)
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status404NotFound, "Link not valid", "This payment link is not valid.");
            return null;
        }

        if (order.Status != OrderStatuses.Pending || order.CardId is not null || clock.GetUtcNow().ToUnixTimeMilliseconds() >= order.ExpiresAt)
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status410Gone, "Link no longer valid", "This payment link is no longer valid: the payment was completed, or it has expired.");
            return null;
        }

        return order;
    }

    /// <summary>An order placed without a country (and no default for its merchant): the shopper names it here.</summary>
    private static bool AsksCountry(OrderRecord order) => order.Country == Countries.Unknown;

    private static Task RenderAsync(HttpContext http, int status, string cashierId, OrderRecord order, CardInfo? previous, CardProblem? problem, string? chosenCountry)
    {
        var amount = Currencies.FromMinorUnits(order.AmountMinor, order.Currency).ToString(CultureInfo.InvariantCulture);
        var bindOnly = order.AmountMinor == 0;
        var action = bindOnly ? "Save card" : $"Pay {amount} {order.Currency}";
        var body = $"""
            <h1>{HtmlPage.Encode(order.Subject)}</h1>
            <p class="amount">{(bindOnly ? "No payment now" : $"{HtmlPage.Encode(amount)} {HtmlPage.Encode(order.Currency)}")}</p>
            <form method="post" action="/cashier/{HtmlPage.Encode(cashierId)}" id="card-form" novalidate>
              {CardForm.Fields(previous, problem)}
              {(AsksCountry(order) ? CardForm.CountryField(chosenCountry, problem) : "")}
              {Consent(order)}
              <div class="row"><button class="pass" type="submit" id="submit">{HtmlPage.Encode(action)}</button></div>
            </form>
            """;
        return HtmlPage.WriteAsync(http, status, action, body, scripts: ["card-form.js"]);
    }

    private static string Consent(OrderRecord order) => CardForm.Consent(order.TokenForFutureUse, order.MitType);
}
