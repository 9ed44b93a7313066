using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Pages;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;

namespace TokenPay.Gateway.ThreeDS;

/// <summary>
/// The simulated issuer's 3DS challenge page. The link is a secret that works once and dies with its
/// order; the person passes or fails, the order ends SUCCESS or FAILED, and the browser goes back to
/// the merchant's frontCallbackUrl.
/// </summary>
internal static class ChallengeEndpoints
{
    public static void MapChallenge(this IEndpointRouteBuilder app)
    {
        app.MapGet("/threeds/{challengeId}", ShowAsync);
        app.MapPost("/threeds/{challengeId}", CompleteAsync).DisableAntiforgery();
    }

    private static async Task ShowAsync(HttpContext http, string challengeId, OrderStore orders, TimeProvider clock)
    {
        var order = await orders.FindByChallengeAsync(challengeId, http.RequestAborted);
        if (order is null)
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status404NotFound, "Link not valid", "This authentication link is not valid.");
            return;
        }

        if (!IsOpen(order, clock))
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status410Gone, "Link no longer valid", "This authentication link has already been used or has expired.");
            return;
        }

        var amount = Currencies.FromMinorUnits(order.AmountMinor, order.Currency);
        var body = $"""
            <h1>Confirm your payment</h1>
            <p class="muted">Your bank asks you to confirm this payment (3-D Secure test page).</p>
            <p class="amount">{HtmlPage.Encode(amount.ToString(System.Globalization.CultureInfo.InvariantCulture))} {HtmlPage.Encode(order.Currency)}</p>
            <p>{HtmlPage.Encode(order.Subject)}</p>
            <p class="muted">Card {HtmlPage.Encode(order.Card?.Masked)}</p>
            <form method="post" action="/threeds/{HtmlPage.Encode(challengeId)}" class="row">
              <button class="pass" name="outcome" value="pass" id="pass">Authenticate</button>
              <button class="fail" name="outcome" value="fail" id="fail">Fail authentication</button>
            </form>
            """;
        await HtmlPage.WriteAsync(http, StatusCodes.Status200OK, "Confirm your payment", body);
    }

    private static async Task CompleteAsync(HttpContext http, string challengeId, OrderStore orders, VaultStore cards, CardVault vault, PaymentProcessor payments, TimeProvider clock)
    {
        var cancellationToken = http.RequestAborted;
        // The link first: a body is read only for an open challenge.
        var open = await orders.FindByChallengeAsync(challengeId, cancellationToken);
        if (open is null || !IsOpen(open, clock))
        {
            await HtmlPage.MessageAsync(http, open is null ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone, "Link no longer valid", "This authentication link is not valid, has already been used or has expired.");
            return;
        }

        var outcome = (await PageRequests.ReadFormAsync(http))?["outcome"].ToString();
        if (outcome is not ("pass" or "fail"))
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status400BadRequest, "Choose an outcome", "Choose to authenticate or to fail the authentication.");
            return;
        }

        if (!await orders.ClaimChallengeAsync(challengeId, clock.GetUtcNow().ToUnixTimeMilliseconds(), authorizeNext: outcome == "pass", cancellationToken))
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status410Gone, "Link no longer valid", "This authentication link has already been used or has expired.");
            return;
        }

        var order = (await orders.FindByChallengeAsync(challengeId, cancellationToken))!;
        PaymentResult result;
        if (outcome == "pass")
        {
            var card = vault.Reveal((await cards.GetCardAsync(order.CardId!.Value, cancellationToken))!);
            result = await payments.AuthorizeAsync(order, card, authenticated: true, cancellationToken);
        }
        else
        {
            result = await payments.FailAsync(order, ResultCodes.AuthenticateFailed, "The cardholder did not pass 3-D Secure authentication.", cancellationToken);
        }

        await HtmlPage.ReturnToMerchantAsync(http, order.FrontCallbackUrl, result.Status == OrderStatuses.Success);
    }

    private static bool IsOpen(OrderRecord order, TimeProvider clock) =>
        order.Status == OrderStatuses.Pending && clock.GetUtcNow().ToUnixTimeMilliseconds() < order.ExpiresAt;
}
