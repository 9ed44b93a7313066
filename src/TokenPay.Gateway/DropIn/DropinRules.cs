using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.DropIn;

/// <summary>Who may pay with a Drop-in one-time token, and when.</summary>
internal static class DropinRules
{
    public static ApiReply? RefuseUse(DropinToken? token, OrderPlan plan, string merchantNo, DateTimeOffset now)
    {
        // Unknown, another merchant's, or another session's: the same answer, so tokens cannot be probed.
        if (token is null || token.Session.MerchantNo != merchantNo || token.Session.SessionKey != plan.DropinSessionKey)
        {
            return ApiReply.Error(ResultCodes.TokenNotExist, "paymentDetail.paymentToken does not exist for this sessionKey.");
        }

        if (token.UsedAt is not null)
        {
            return ApiReply.Error(ResultCodes.TokenInvalid, "paymentDetail.paymentToken has already been used.");
        }

        if (now.ToUnixTimeMilliseconds() >= token.ExpiresAt)
        {
            return ApiReply.Error(ResultCodes.TokenInvalid, "paymentDetail.paymentToken has expired.");
        }

        if (token.Session.UserId != plan.UserId)
        {
            return ApiReply.Error(ResultCodes.TokenUserMismatch, "paymentDetail.paymentToken was issued for another userId.");
        }

        // The customer saw the consent of the session (or none): the payment may not save more than that.
        if (plan.BindsToken != token.Session.TokenForFutureUse)
        {
            return ApiReply.Invalid($"paymentDetail.tokenForFutureUse must be {(token.Session.TokenForFutureUse ? "true" : "false")}, as in the Drop-in session the customer entered the card in.");
        }

        if (plan.BindsToken && plan.MitType != token.Session.MitType)
        {
            return ApiReply.Invalid($"paymentDetail.mitType must be {token.Session.MitType ?? "absent"}, as in the Drop-in session the customer consented in.");
        }

        return null;
    }
}
