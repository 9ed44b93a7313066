using System.Security.Cryptography;
using System.Text;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Payments;

/// <summary>How gateway answers become local updates, and how charge ids become order numbers.</summary>
internal static class PaymentOrders
{
    /// <summary>
    /// The order number of a charge: a function of the charge id, so asking twice (or after a timeout) reuses the
    /// same number and the gateway's unique index does the rest. Hashed because outTradeNo allows only
    /// [A-Za-z0-9_] and compares case-insensitively, while charge ids are the caller's own strings.
    /// </summary>
    public static string ForCharge(string chargeId) => "mit_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(chargeId)))[..40];

    /// <summary>The order number of a charge's retry (attempt 2 and on).</summary>
    public static string ForRetry(string chargeId, int attempt) => $"{ForCharge(chargeId)}_r{attempt}";

    public static string NewCheckout() => "shop_" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// How long after its last send an order the gateway does not know may still arrive: the gateway refuses a
    /// request whose requestTime is over 2 minutes from its clock (PayerMax too); one more minute covers clock drift.
    /// </summary>
    public static readonly TimeSpan ArrivalWindow = TimeSpan.FromMinutes(3);

    public static OrderUpdate From(OrderView view)
    {
        var detail = view.PaymentDetails is [var first, ..] ? first : null;
        return new OrderUpdate(view.OutTradeNo, view.Status, view.TradeToken, view.ResultCode, view.ResultMsg, detail?.PaymentTokenId, detail?.CardInfo?.CardOrg, detail?.CardInfo?.CardIdentifierNo)
        {
            AdviceCategory = view.DeclineAdvice?.Category,
            MerchantAdviceCode = view.DeclineAdvice?.MerchantAdviceCode,
        };
    }

    public static OrderUpdate From(string outTradeNo, OrderAndPayResult result) =>
        new(outTradeNo, result.Status, result.TradeToken, result.ResultCode, result.ResultMsg, null, null, null)
        {
            AdviceCategory = result.DeclineAdvice?.Category,
            MerchantAdviceCode = result.DeclineAdvice?.MerchantAdviceCode,
        };
}

/// <summary>Result codes of the merchant's own refusals, for requests that reached no gateway.</summary>
public static class NotSentCodes
{
    /// <summary>The reconciler proved the order absent once it could no longer arrive. Final.</summary>
    public const string NotSent = "NOT_SENT";

    /// <summary>No connection to the gateway could be made, so nothing was sent; the same id may be sent again.</summary>
    public const string GatewayUnreachable = "GATEWAY_UNREACHABLE";

    /// <summary>
    /// The card's cardholder disputed a payment as fraud (docs/disputes.md): no charge without the customer is sent on
    /// it until they pay with it again themselves. The same id proceeds then.
    /// </summary>
    public const string CardDisputedAsFraud = "CARD_DISPUTED_AS_FRAUD";
}
