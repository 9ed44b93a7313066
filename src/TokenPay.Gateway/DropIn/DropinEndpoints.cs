using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Pages;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.DropIn;

/// <summary>
/// Drop-in (docs/protocol.md 2.5, mode F). The merchant's server opens a session (<c>applyDropinSession</c>);
/// its page loads <c>/dropin/v1/dropin.js</c>, which frames the gateway's card fields, so card data goes from
/// the browser to the gateway only; the frame hands the page a one-time <c>paymentToken</c> that the
/// merchant's server then pays with (orderAndPay with paymentToken + sessionKey).
/// </summary>
internal sealed class DropinEndpoints(DropinStore dropins, CardVault vault, TimeProvider clock)
{
    private static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan PaymentTokenLifetime = TimeSpan.FromMinutes(15);

    // Headers, not the URL: the keys are secrets and must not reach access logs.
    public const string ClientKeyHeader = "X-Dropin-Client-Key";
    public const string SessionKeyHeader = "X-Dropin-Session-Key";

    public async Task<ApiReply> ApplySessionAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<ApplyDropinSessionRequest>(request, out var data, out var error))
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(data.UserId) || data.UserId.Length > 64) return ApiReply.Invalid("userId is required (at most 64 characters).");
        if (string.IsNullOrEmpty(data.Currency)) return ApiReply.Invalid("currency is required.");
        var currency = data.Currency.ToUpperInvariant();
        if (!Currencies.IsKnown(currency)) return ApiReply.Error(ResultCodes.CurrencyInvalid, "currency is not an ISO 4217 currency code.");
        if (string.IsNullOrEmpty(data.Country)) return ApiReply.Invalid("country is required.");
        var country = data.Country.ToUpperInvariant();
        if (!Countries.IsKnown(country)) return ApiReply.Error(ResultCodes.CountryInvalid, "country is not an ISO 3166 alpha-2 country code.");

        long? amountMinor = null;
        if (data.TotalAmount is { } amount)
        {
            if (!Currencies.TryToMinorUnits(amount, currency, out var minor)) return ApiReply.Error(ResultCodes.AmountInvalid, $"totalAmount must be a non-negative amount with at most {Currencies.MinorDigits(currency)} decimals for {currency}.");
            amountMinor = minor;
        }

        // PayerMax spells it UNSCHDULED in this API.
        var mitType = data.MitType?.ToUpperInvariant() switch
        {
            null => null,
            "UNSCHDULED" or Wire.MitUnscheduled => Wire.MitUnscheduled,
            Wire.MitScheduled => Wire.MitScheduled,
            _ => "invalid",
        };
        if (mitType == "invalid") return ApiReply.Invalid("mitType must be SCHEDULED or UNSCHEDULED (UNSCHDULED accepted).");
        if (data.ComponentList is { } components && !components.Contains(Wire.Card)) return ApiReply.Invalid("componentList must include CARD, the only component offered.");

        var now = clock.GetUtcNow();
        var session = new DropinSession
        {
            SessionKey = "DS" + TradeIds.Secret(),
            ClientKey = "CK" + TradeIds.Secret(),
            MerchantNo = request.App.MerchantNo,
            AppId = request.App.AppId,
            UserId = data.UserId,
            Currency = currency,
            Country = country,
            AmountMinor = amountMinor,
            MitType = mitType,
            TokenForFutureUse = data.TokenForFutureUse ?? mitType is not null,
            CreatedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = (now + SessionLifetime).ToUnixTimeMilliseconds(),
        };
        await dropins.InsertSessionAsync(session, cancellationToken);
        return ApiReply.Success(new ApplyDropinSessionResult { ClientKey = session.ClientKey, SessionKey = session.SessionKey });
    }

    // Inside the merchant's page: the fields sit on it, not on a card of their own with a grey margin.
    private const string FrameStyle = "body{background:transparent}main{margin:0 auto;padding:.5rem;box-shadow:none}";

    /// <summary>The card fields, framed by the merchant page whose origin the script passed.</summary>
    public async Task FrameAsync(HttpContext http, string? clientKey, string? sessionKey, string? origin)
    {
        var session = await OpenSessionAsync(clientKey, sessionKey, http.RequestAborted);
        if (session is null || !IsOrigin(origin))
        {
            await HtmlPage.MessageAsync(http, StatusCodes.Status404NotFound, "Card entry unavailable", "This card form is not available: the session is unknown or has expired.");
            return;
        }

        var body = $"""
            <form id="card-form" data-mode="dropin" data-client-key="{HtmlPage.Encode(clientKey)}" data-session-key="{HtmlPage.Encode(sessionKey)}" data-origin="{HtmlPage.Encode(origin)}" novalidate>
              {CardForm.Fields(null, null)}
              {CardForm.Consent(session.TokenForFutureUse, session.MitType)}
              <div class="row"><button class="pass" type="submit" id="submit">Use this card</button></div>
            </form>
            """;
        await HtmlPage.WriteAsync(http, StatusCodes.Status200OK, "Card details", body, scripts: ["card-form.js", "dropin-frame.js"], frameAncestors: origin!, style: FrameStyle);
    }

    /// <summary>
    /// Vaults the card the frame posted and answers a one-time payment token (never the card). The session
    /// keys come in headers and are checked before the (small, bounded) body is read.
    /// </summary>
    public async Task<Results<JsonHttpResult<DropinIssued>, JsonHttpResult<DropinError>>> IssueTokenAsync(HttpContext http)
    {
        var headers = http.Request.Headers;
        var session = await OpenSessionAsync(headers[ClientKeyHeader], headers[SessionKeyHeader], http.RequestAborted);
        if (session is null)
        {
            return TypedResults.Json(new DropinError("form", "This card form has expired; reload the page."), statusCode: StatusCodes.Status404NotFound);
        }

        DropinCardSubmission? submission = null;
        if (await PageRequests.ReadSmallBodyAsync(http) is { } body)
        {
            try
            {
                submission = JsonSerializer.Deserialize<DropinCardSubmission>(body, PayerMaxJson.Options);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // Not JSON, or a string that is not text.
            }
        }

        if (submission is null)
        {
            return TypedResults.Json(new DropinError("form", "The card details could not be read."), statusCode: StatusCodes.Status400BadRequest);
        }

        var entered = (submission.Card ?? new CardInfo()) with { CardIdentifierNo = CardForm.Digits(submission.Card?.CardIdentifierNo) };
        var now = clock.GetUtcNow();
        if (CardRules.Check(entered, now, out var card) is { } problem)
        {
            return TypedResults.Json(new DropinError(problem.Field, problem.HumanMessage), statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var sealedCard = vault.Protect(card!);
        var paymentToken = "PT" + TradeIds.Secret();
        var expires = Math.Min(session.ExpiresAt, (now + PaymentTokenLifetime).ToUnixTimeMilliseconds());
        await dropins.InsertTokenAsync(paymentToken, session.SessionKey, sealedCard, now.ToUnixTimeMilliseconds(), expires, http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new DropinIssued(paymentToken, sealedCard.Brand, sealedCard.Masked));
    }

    private async Task<DropinSession?> OpenSessionAsync(string? clientKey, string? sessionKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientKey) || string.IsNullOrEmpty(sessionKey) || sessionKey.Length > 128)
        {
            return null;
        }

        var session = await dropins.FindSessionAsync(sessionKey, cancellationToken);
        return session is not null && session.ClientKey == clientKey && clock.GetUtcNow().ToUnixTimeMilliseconds() < session.ExpiresAt ? session : null;
    }

    // The frame is shown only inside an http(s) origin, which also becomes its frame-ancestors.
    private static bool IsOrigin(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.GetLeftPart(UriPartial.Authority) == origin;

    private sealed record DropinCardSubmission(CardInfo? Card);

    internal sealed record DropinIssued(string PaymentToken, string Brand, string MaskedCard);

    internal sealed record DropinError(string Field, string Message);
}
