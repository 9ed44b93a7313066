using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Tokens;

/// <summary>inquirePaymentToken and removePaymentToken: a merchant sees and removes only its own users' tokens.</summary>
internal sealed class TokenEndpoints(IGatewayStore store, TimeProvider clock)
{
    public async Task<ApiReply> InquireAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<InquirePaymentTokenRequest>(request, out var data, out var error))
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(data.UserId) || data.UserId.Length > 64)
        {
            return ApiReply.Invalid("userId is required (at most 64 characters).");
        }

        if (data.TokenScope is not (Wire.TokenScopeAcquiring or Wire.TokenScopeMit))
        {
            return ApiReply.Invalid("tokenScope is required and must be tokenAcq or tokenMit.");
        }

        if (data.PaymentMethodType is not (null or Wire.Card))
        {
            return ApiReply.Invalid("paymentMethodType must be CARD.");
        }

        var now = clock.GetUtcNow();
        var tokens = await store.ListTokensAsync(request.App.MerchantNo, data.UserId, cancellationToken);
        var views = tokens
            .Where(t => data.TokenScope == Wire.TokenScopeAcquiring || t.MitType is not null)
            .Where(t => data.PaymentTokenId is null || t.PaymentTokenId == data.PaymentTokenId)
            .Where(t => data.CardOrg is null || string.Equals(t.Card.Brand, data.CardOrg, StringComparison.OrdinalIgnoreCase))
            .Select(t => View(t, data.TokenScope, now))
            .ToList();
        return ApiReply.Success(new InquirePaymentTokenResult { TokenList = views });
    }

    public async Task<ApiReply> RemoveAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<RemovePaymentTokenRequest>(request, out var data, out var error))
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(data.UserId) || data.UserId.Length > 64)
        {
            return ApiReply.Invalid("userId is required (at most 64 characters).");
        }

        if (string.IsNullOrWhiteSpace(data.PaymentTokenId) || data.PaymentTokenId.Length > 64)
        {
            return ApiReply.Invalid("paymentTokenID is required (at most 64 characters).");
        }

        if (data.RemoveReason is { Length: > 256 })
        {
            return ApiReply.Invalid("removeReason must be at most 256 characters.");
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var token = await store.DeleteTokenAsync(request.App.MerchantNo, data.UserId, data.PaymentTokenId, now, cancellationToken);
        return token is null
            ? ApiReply.Error(ResultCodes.TokenNotExist, "paymentTokenID does not exist for this userId.")
            : ApiReply.Success(new RemovePaymentTokenResult { UserId = token.UserId, PaymentTokenId = token.PaymentTokenId, PaymentTokenStatus = TokenStatuses.Deleted });
    }

    private static PaymentTokenView View(TokenRecord token, string scope, DateTimeOffset now) => new()
    {
        PaymentTokenId = token.PaymentTokenId,
        UserId = token.UserId,
        TokenScope = scope,
        PaymentTokenStatus = TokenRules.StatusAt(token, now),
        // Stored as the first instant after the expiry month; shown as its last millisecond.
        PaymentTokenExpiry = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(token.ExpiresAt - 1)),
        CardInfo = token.Card.Masked,
        Brand = token.Card.Brand,
        IfCVV = "N",
        PaymentMethodType = Wire.Card,
        TargetOrg = token.Card.Brand,
        AccountDisplay = $"{token.Card.Brand} ****{token.Card.Masked[^4..]}",
        MerchantInitiated = token.MitType is not null,
    };
}
