using TokenPay.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;

namespace TokenPay.Gateway.ThreeDS;

/// <summary>
/// What the gateway does when the acquirer's 3-D Secure page reports the cardholder's result: the order's
/// challenge is claimed once (only while the order is PENDING and unexpired), then the order is authorized as
/// authenticated or failed, and the browser is sent back to the merchant's frontCallbackUrl.
/// </summary>
internal sealed class AuthenticationCallback(OrderStore orders, VaultStore cards, CardVault vault, PaymentProcessor payments, TimeProvider clock) : IAuthenticationCallback
{
    private static readonly AuthenticationHandled Refused = new(false, null, false);

    public async ValueTask<AuthenticationHandled> AuthenticatedAsync(string tradeToken, bool passed, CancellationToken cancellationToken)
    {
        var order = await orders.FindForAcquirerAsync(tradeToken, cancellationToken);
        if (order?.ChallengeId is not { } challengeId
            || !await orders.ClaimChallengeAsync(challengeId, clock.GetUtcNow().ToUnixTimeMilliseconds(), authorizeNext: passed, cancellationToken))
        {
            return Refused;
        }

        var result = passed
            ? await payments.AuthorizeAsync(order, vault.Reveal((await cards.GetCardAsync(order.CardId!.Value, cancellationToken))!), authenticated: true, storedBy: null, cancellationToken)
            : await payments.FailAsync(order, ResultCodes.AuthenticateFailed, "The cardholder did not pass 3-D Secure authentication.", cancellationToken);
        var returnUrl = order.FrontCallbackUrl is { } url && PublicLinks.IsRedirectable(url) ? url : null;
        return new AuthenticationHandled(true, returnUrl, result.Status == OrderStatuses.Success);
    }
}
