using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Tokens;

/// <summary>inquirePaymentToken and removePaymentToken: a merchant sees and removes only its own users' tokens.</summary>
internal sealed class TokenEndpoints(TokenStore tokenStore, OrderStore orders, NotificationFactory notifications, NotificationSignal dispatcherSignal, TimeProvider clock, IOptions<GatewayOptions> options)
{
    private readonly TimeSpan _acquirerTimeout = options.Value.Orders.AcquirerTimeout;

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
        var tokens = await tokenStore.ListAsync(request.App.MerchantNo, data.UserId, cancellationToken);
        var views = tokens
            .Where(t => data.TokenScope == Wire.TokenScopeAcquiring || t.MitType is not null)
            .Where(t => data.PaymentTokenId is null || t.PaymentTokenId == data.PaymentTokenId)
            .Where(t => data.CardOrg is null || string.Equals(t.Card.Brand, data.CardOrg, StringComparison.OrdinalIgnoreCase))
            .Select(t => View(t, now))
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

        var at = clock.GetUtcNow();
        var token = await DeleteAsync(request.App.MerchantNo, data.UserId, data.PaymentTokenId, at, cancellationToken);
        if (token is null)
        {
            return ApiReply.Error(ResultCodes.TokenNotExist, "paymentTokenID does not exist for this userId.");
        }

        dispatcherSignal.Notify();

        await WaitForAuthorizationsAsync(token, at.ToUnixTimeMilliseconds(), cancellationToken);
        return ApiReply.Success(new RemovePaymentTokenResult { UserId = token.UserId, PaymentTokenId = token.PaymentTokenId, PaymentTokenStatus = TokenStatuses.Deleted });
    }

    /// <summary>
    /// Marks the user's token Deleted (idempotent) with its TOKENIZATION notification; null when this merchant's user
    /// has no such token. The notification is made from the token as read: when the token changed before the write
    /// (the account updater, a new binding of its card), nothing is written and it is read and built again.
    /// </summary>
    private async Task<TokenRecord?> DeleteAsync(string merchantNo, string userId, string paymentTokenId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var binding = await orders.FindBindingAsync(merchantNo, paymentTokenId, cancellationToken);
        while (true)
        {
            var token = await tokenStore.FindAsync(merchantNo, paymentTokenId, cancellationToken);
            if (token is null || token.UserId != userId)
            {
                return null;
            }

            if (token.Status == TokenStatuses.Deleted)
            {
                return token;
            }

            var notice = notifications.ForTokenChange(binding, token, TokenStatuses.Deleted, null, token.Card, at);
            if (await tokenStore.DeleteAsync(token, at.ToUnixTimeMilliseconds(), notice, cancellationToken))
            {
                return token with { Status = TokenStatuses.Deleted };
            }
        }
    }

    /// <summary>
    /// Once the token is Deleted no new order can be written on it (the order insert checks it in its own
    /// transaction). Orders written before that may be at the acquirer right now: the removal answers only after
    /// they have their answer, so no charge on the token is authorized after the merchant heard "removed". The
    /// wait is bounded by the acquirer timeout; an order left behind by a crash is recovery's to settle.
    /// </summary>
    private async Task WaitForAuthorizationsAsync(TokenRecord token, long removedAt, CancellationToken cancellationToken)
    {
        var sentAfter = removedAt - (long)_acquirerTimeout.TotalMilliseconds;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(1);
        while (await orders.HasTokenOrderBeingAuthorizedAsync(token.MerchantNo, token.PaymentTokenId, sentAfter, cancellationToken) && waited.Elapsed < _acquirerTimeout)
        {
            // Real time, not the injected clock: this waits for another request's I/O, not for a business deadline.
            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 50));
        }
    }

    private static PaymentTokenView View(TokenRecord token, DateTimeOffset now) => new()
    {
        PaymentTokenId = token.PaymentTokenId,
        UserId = token.UserId,
        // Every token is an acquiring token (PayerMax's only scope); tokenMit is ours, a filter of the request only.
        TokenScope = Wire.TokenScopeAcquiring,
        PaymentTokenStatus = TokenRules.StatusAt(token, now),
        // Stored as the first instant after the expiry month; shown as its last millisecond.
        PaymentTokenExpiry = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(token.ExpiresAt - 1)),
        CardInfo = token.Card.Masked,
        Brand = token.Card.Brand,
        IfCVV = Wire.CvvNotNeeded,
        PaymentMethodType = Wire.Card,
        TargetOrg = token.Card.Brand,
        AccountDisplay = $"{token.Card.Brand} ****{token.Card.Masked[^4..]}",
        MerchantInitiated = token.MitType is not null,
        CardUpdate = token.CardUpdate,
        CardUpdateTime = token.CardUpdatedAt is { } updatedAt ? PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(updatedAt)) : null,
    };
}
