using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using static TokenPay.Gateway.Envelope.FieldRules;

namespace TokenPay.Gateway.Tokens;

/// <summary>
/// <c>applyPaymentToken</c> and <c>InquireApplyRequest</c> (docs/protocol.md 2.8): a card saved without a
/// payment. An application is a zero-amount binding order under the number <c>apply:</c> + requestId (a
/// character no outTradeNo may hold), so it has the binding order's vault, fingerprint, one-token-per-card,
/// 3DS page, crash recovery and TOKENIZATION notification, and requestId is unique per merchant by the
/// orders' unique index. It sends no PAYMENT notification and orderQuery does not show it.
/// </summary>
internal sealed class TokenApplicationEndpoints(OrderPlacement placement, OrderStore store, PublicLinks links, TimeProvider clock)
{
    private static readonly TimeSpan ChallengeWindow = TimeSpan.FromMinutes(30);

    public async Task<ApiReply> ApplyAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<ApplyPaymentTokenRequest>(request, out var data, out var error))
        {
            return error;
        }

        var now = clock.GetUtcNow();
        if (Check(data, now, out var plan) is { } refusal)
        {
            return refusal;
        }

        var placed = await placement.PlaceAsync(request.App, plan!, now, cancellationToken);
        if (placed.Refusal is { } refused)
        {
            return refused;
        }

        if (placed.Duplicate)
        {
            var existing = await store.FindAsync(request.App.MerchantNo, plan!.OutTradeNo, cancellationToken);
            return existing is not null && existing.UserId == data.UserId
                ? Answer(request, existing)
                : ApiReply.Error(ResultCodes.OrderRepeat, "requestId has already been used for another token application of this merchant.");
        }

        var result = placed.Result!;
        return Answer(request, data.RequestId!, result.Status, result.PaymentTokenId, result.ChallengeId, result.ResultCode, result.ResultMsg);
    }

    public async Task<ApiReply> InquireAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<InquireApplyRequestRequest>(request, out var data, out var error))
        {
            return error;
        }

        if ((MerchantNumber(data.RequestId, "requestId") ?? Required(data.UserId, "userId", 64)) is { } invalid)
        {
            return invalid;
        }

        var order = await store.FindAsync(request.App.MerchantNo, TokenApplications.OrderPrefix + data.RequestId, cancellationToken);
        return order is null || order.UserId != data.UserId
            ? ApiReply.Error(ResultCodes.OrderNotExist, "No token application with this requestId exists for this user.")
            : Answer(request, order);
    }

    private ApiReply Answer(VerifiedRequest request, OrderRecord order) =>
        Answer(request, TokenApplications.RequestIdOf(order)!, order.Status, order.PaymentTokenId, order.ChallengeId, order.ResultCode, order.ResultMsg);

    // The application's order state in this API's words: SUCCESS, PENDING (with the challenge), or FAILED (a decline or an expiry).
    private ApiReply Answer(VerifiedRequest request, string requestId, string orderStatus, string? tokenId, string? challengeId, string? code, string? message)
    {
        var status = orderStatus is OrderStatuses.Success or OrderStatuses.Pending ? orderStatus : OrderStatuses.Failed;
        return ApiReply.Success(new TokenApplicationResult
        {
            RequestId = requestId,
            Status = status,
            PaymentTokenId = status == OrderStatuses.Success ? tokenId : null,
            RedirectUrl = status == OrderStatuses.Pending && challengeId is not null ? links.Challenge(request.Http, challengeId) : null,
            ResultCode = status == OrderStatuses.Failed ? code : null,
            ResultMsg = status == OrderStatuses.Failed ? message : null,
        });
    }

    private static ApiReply? Check(ApplyPaymentTokenRequest r, DateTimeOffset now, out OrderPlan? plan)
    {
        plan = null;
        if (MerchantNumber(r.RequestId, "requestId") is { } e1) return e1;
        if (Required(r.UserId, "userId", 64) is { } e2) return e2;
        if (string.IsNullOrEmpty(r.Country)) return ApiReply.Invalid("country is required.");
        if (!Countries.IsKnown(r.Country.ToUpperInvariant())) return ApiReply.Error(ResultCodes.CountryInvalid, "country is not an ISO 3166 alpha-2 country code.");
        if (r.PaymentMethodType != Wire.Card) return ApiReply.Invalid("paymentMethodType must be CARD.");
        if (r.TokenScope != Wire.TokenScopeAcquiring) return ApiReply.Invalid("tokenScope must be tokenAcq.");
        if ((Required(r.FrontCallbackUrl, "frontCallbackUrl", 1024) ?? Url(r.FrontCallbackUrl, "frontCallbackUrl", 1024)) is { } e3) return e3;
        string? mitType = r.MitType?.ToUpperInvariant() switch
        {
            null => null,
            "SCHEDULE" or Wire.MitScheduled => Wire.MitScheduled,
            "UNSCHEDULE" or Wire.MitUnscheduled => Wire.MitUnscheduled,
            _ => "invalid",
        };
        if (mitType == "invalid") return ApiReply.Invalid("mitType must be SCHEDULE or UNSCHEDULE (or absent for a token used with the customer present).");
        if (r.CardInfo is not { } cardInfo) return ApiReply.Invalid("cardInfo is required.");
        if (Required(cardInfo.CardOrg, "cardInfo.cardOrg", 32) is { } e4) return e4;
        if (CardRules.Check(cardInfo, now, out var card) is { } problem) return ApiReply.Error(problem.Code, "cardInfo." + problem.Message);
        if (!string.Equals(cardInfo.CardOrg, card!.Brand, StringComparison.OrdinalIgnoreCase))
        {
            return ApiReply.Invalid($"cardInfo.cardOrg {cardInfo.CardOrg} does not match the card number, which is {card.Brand}.");
        }

        plan = new OrderPlan
        {
            Mode = PaymentMode.CardBind,
            Integrate = Wire.DirectPayment,
            OutTradeNo = TokenApplications.OrderPrefix + r.RequestId,
            Subject = "Card saved for later",
            AmountMinor = 0,
            // No money moves; the order needs a currency like every order.
            Currency = "USD",
            Country = r.Country.ToUpperInvariant(),
            UserId = r.UserId!,
            FrontCallbackUrl = r.FrontCallbackUrl,
            ExpiresIn = ChallengeWindow,
            Card = card,
            MitType = mitType,
            BindsToken = true,
        };
        return null;
    }
}
