using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using TokenPay.Protocol;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulated issuer's 3-D Secure page at <c>/threeds/{challengeId}</c>. The link is a secret that works
/// once and dies with its order; the cardholder passes or fails, the gateway is told (and authorizes or fails
/// the order), and the browser goes back to the merchant.
/// </summary>
internal static class ChallengePage
{
    private const int MaxFormBytes = 4096;

    public static void MapSimulatorChallengePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/threeds/{challengeId}", ShowAsync);
        app.MapPost("/threeds/{challengeId}", AnswerAsync).DisableAntiforgery();
    }

    private static async Task ShowAsync(HttpContext http, string challengeId, SimulatorStore store, TimeProvider clock)
    {
        var challenge = await store.FindChallengeAsync(challengeId, http.RequestAborted);
        if (challenge is null)
        {
            await MessageAsync(http, StatusCodes.Status404NotFound, "Link not valid", "This authentication link is not valid.");
            return;
        }

        if (!IsOpen(challenge, clock))
        {
            await MessageAsync(http, StatusCodes.Status410Gone, "Link no longer valid", "This authentication link has already been used or has expired.");
            return;
        }

        var amount = Currencies.FromMinorUnits(challenge.AmountMinor, challenge.Currency).ToString(CultureInfo.InvariantCulture);
        await WriteAsync(http, StatusCodes.Status200OK, "Confirm your payment", $"""
            <h1>Confirm your payment</h1>
            <p class="muted">Your bank asks you to confirm this payment (<span class="nowrap">3-D Secure</span> test page).</p>
            <p class="amount">{Encode(amount)} {Encode(challenge.Currency)}</p>
            <p>{Encode(challenge.Subject)}</p>
            <p class="muted">Card {Encode(challenge.MaskedCard)}</p>
            <form method="post" action="/threeds/{Encode(challengeId)}" class="row">
              <button class="pass" name="outcome" value="pass" id="pass">Authenticate</button>
              <button class="fail" name="outcome" value="fail" id="fail">Fail authentication</button>
            </form>
            """);
    }

    private static async Task AnswerAsync(HttpContext http, string challengeId, SimulatorStore store, IAuthenticationCallback gateway, TimeProvider clock)
    {
        var cancellationToken = http.RequestAborted;
        // The link first: a body is read only for an open challenge.
        var challenge = await store.FindChallengeAsync(challengeId, cancellationToken);
        if (challenge is null || !IsOpen(challenge, clock))
        {
            await MessageAsync(http, challenge is null ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone, "Link no longer valid", "This authentication link is not valid, has already been used or has expired.");
            return;
        }

        var outcome = (await ReadFormAsync(http))?["outcome"].ToString();
        if (outcome is not ("pass" or "fail"))
        {
            await MessageAsync(http, StatusCodes.Status400BadRequest, "Choose an outcome", "Choose to authenticate or to fail the authentication.");
            return;
        }

        // A claimed challenge is answered to its end whatever the browser does: the order must not stay PENDING.
        var handled = await store.ClaimChallengeAsync(challengeId, clock.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None)
            ? await gateway.AuthenticatedAsync(challenge.TradeToken, passed: outcome == "pass", CancellationToken.None)
            : null;
        if (handled is not { Accepted: true })
        {
            await MessageAsync(http, StatusCodes.Status410Gone, "Link no longer valid", "This authentication link has already been used or has expired.");
        }
        else if (handled.ReturnUrl is { } returnUrl)
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Redirect(returnUrl);
        }
        else
        {
            await MessageAsync(http, StatusCodes.Status200OK, handled.Succeeded ? "Payment complete" : "Payment not completed",
                handled.Succeeded ? "The payment is complete. You can close this page." : "The payment was not completed. You can close this page.");
        }
    }

    private static bool IsOpen(SimulatedChallenge challenge, TimeProvider clock) =>
        challenge.UsedAt is null && clock.GetUtcNow().ToUnixTimeMilliseconds() < challenge.ExpiresAt;

    /// <summary>The small urlencoded form the page posts; null for anything else (wrong type, too large, malformed).</summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || http.Request.ContentLength > MaxFormBytes)
        {
            return null;
        }

        try
        {
            return await new FormFeature(http.Request, new FormOptions { ValueCountLimit = 8, KeyLengthLimit = 64, ValueLengthLimit = 256, BufferBodyLengthLimit = MaxFormBytes }).ReadFormAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return null;
        }
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    private static Task MessageAsync(HttpContext http, int statusCode, string title, string message) =>
        WriteAsync(http, statusCode, title, $"<h1>{Encode(title)}</h1><p>{Encode(message)}</p>");

    // The issuer's page: nothing loaded from elsewhere, no script, no framing, no caching.
    private static Task WriteAsync(HttpContext http, int statusCode, string title, string body)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/html; charset=utf-8";
        return http.Response.WriteAsync($$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>{{Encode(title)}}</title><style>
            body{font-family:system-ui,sans-serif;margin:0;background:#eef1f6;color:#1d1f24}
            main{max-width:28rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}
            h1{font-size:1.3rem;margin-top:0}.amount{font-size:1.6rem;font-weight:600}.muted{color:#5b6170;font-size:.9rem}
            .row{display:flex;gap:.75rem;margin-top:1.25rem}button{flex:1;font-size:1rem;padding:.8rem;border:0;border-radius:8px;cursor:pointer}
            .pass{background:#1a7f37;color:#fff}.fail{background:#c62828;color:#fff}.nowrap{white-space:nowrap}
            </style></head><body><header><p class="muted" style="text-align:center">Sandbox Bank · <span class="nowrap">3-D Secure</span></p></header><main>{{body}}</main></body></html>
            """, http.RequestAborted);
    }
}
