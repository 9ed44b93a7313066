using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tokens;

/// <summary>Who may pay with a token, and when (docs/protocol.md 2.1, 2.3).</summary>
internal static class TokenRules
{
    /// <summary>Activated until the end of the card's expiry month; Deleted once removed.</summary>
    public static string StatusAt(TokenRecord token, DateTimeOffset now) =>
        token.Status == TokenStatuses.Activated && now.ToUnixTimeMilliseconds() >= token.ExpiresAt ? TokenStatuses.Expired : token.Status;

    /// <summary>Why this order may not use this token, or null when it may.</summary>
    public static ApiReply? RefuseUse(TokenRecord? token, OrderPlan plan, DateTimeOffset now)
    {
        if (token is null)
        {
            return ApiReply.Error(ResultCodes.TokenNotExist, "paymentTokenID does not exist for this merchant.");
        }

        if (token.UserId != plan.UserId)
        {
            return ApiReply.Error(ResultCodes.TokenUserMismatch, "paymentTokenID does not belong to this userId.");
        }

        switch (StatusAt(token, now))
        {
            case TokenStatuses.Deleted when token.CardUpdate == CardUpdates.Closed:
                return ApiReply.Error(ResultCodes.TokenInvalid, "paymentTokenID can no longer be charged: the issuer closed the card (merchant advice code 21). Ask the customer for another card.");
            case TokenStatuses.Deleted:
                return ApiReply.Error(ResultCodes.TokenInvalid, "paymentTokenID has been removed and can no longer be charged.");
            case TokenStatuses.Expired:
                return ApiReply.Error(ResultCodes.TokenInvalid, "paymentTokenID has expired with its card.");
        }

        if (plan.MerchantInitiated && token.MitType is null)
        {
            return ApiReply.Invalid("paymentTokenID was saved without mitType, so it cannot be used for a merchant-initiated payment.");
        }

        return null;
    }
}
