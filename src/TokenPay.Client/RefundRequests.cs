using TokenPay.Protocol.Models;

namespace TokenPay.Client;

/// <summary>Builders for <see cref="PayerMaxClient.RefundAsync"/>: what is left of the paid amount back, or a part of it.</summary>
public static class RefundRequests
{
    /// <summary>Everything the order paid that no refund has taken back yet, back to the card.</summary>
    /// <param name="outRefundNo">The merchant's unique refund number (letters, digits, '_'; at most 64): the idempotency key.</param>
    /// <param name="order">The order as <c>orderQuery</c> shows it (its <c>refundedAmount</c> is left out).</param>
    /// <param name="comments">Why (at most 512 characters).</param>
    /// <param name="refundNotifyUrl">Where the REFUND notification goes; the merchant's configured refund URL when null.</param>
    public static RefundRequest Full(string outRefundNo, OrderView order, string? comments = null, string? refundNotifyUrl = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Partial(outRefundNo, order.OutTradeNo, order.TotalAmount - (order.RefundedAmount ?? 0), order.Currency, comments, refundNotifyUrl);
    }

    /// <summary>
    /// Part of an order's payment back; several partial refunds may follow, as long as together with the
    /// others that did not fail they stay within the paid amount.
    /// </summary>
    /// <param name="outRefundNo">The merchant's unique refund number (letters, digits, '_'; at most 64): the idempotency key.</param>
    /// <param name="outTradeNo">The refunded order.</param>
    /// <param name="amount">In major units, with at most the currency's minor digits; more than zero.</param>
    /// <param name="currency">The order's currency.</param>
    /// <param name="comments">Why (at most 512 characters).</param>
    /// <param name="refundNotifyUrl">Where the REFUND notification goes; the merchant's configured refund URL when null.</param>
    public static RefundRequest Partial(string outRefundNo, string outTradeNo, decimal amount, string currency, string? comments = null, string? refundNotifyUrl = null) => new()
    {
        OutRefundNo = outRefundNo,
        OutTradeNo = outTradeNo,
        RefundAmount = amount,
        RefundCurrency = currency,
        Comments = comments,
        RefundNotifyUrl = refundNotifyUrl,
    };
}
