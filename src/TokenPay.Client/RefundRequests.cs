using TokenPay.Protocol.Models;

namespace TokenPay.Client;

/// <summary>
/// Builders for <see cref="PayerMaxClient.RefundAsync"/> from the order as <c>orderQuery</c> shows it, so the order
/// number and currency cannot disagree with the order: what is left of the paid amount back, or a part of it.
/// Without a queried order, build a <see cref="RefundRequest"/> directly.
/// </summary>
public static class RefundRequests
{
    /// <summary>
    /// Everything the order paid that is still the merchant's to give back: not taken back by a refund, not frozen
    /// by an open dispute case and not charged back by a lost one (the gateway refuses a refund of any of those).
    /// </summary>
    /// <param name="outRefundNo">The merchant's unique refund number (letters, digits, '_'; at most 64): the idempotency key.</param>
    /// <param name="order">The order as <c>orderQuery</c> shows it (its <c>refundedAmount</c>, <c>disputedAmount</c> and <c>chargedBackAmount</c> are left out).</param>
    /// <param name="comments">Why (at most 512 characters).</param>
    /// <param name="refundNotifyUrl">Where the REFUND notification goes; the merchant's configured refund URL when null.</param>
    public static RefundRequest Full(string outRefundNo, OrderView order, string? comments = null, string? refundNotifyUrl = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        var rest = order.TotalAmount - (order.RefundedAmount ?? 0) - (order.DisputedAmount ?? 0) - (order.ChargedBackAmount ?? 0);
        return Partial(outRefundNo, order, rest, comments, refundNotifyUrl);
    }

    /// <summary>
    /// Part of an order's payment back; several partial refunds may follow, as long as together with the
    /// others that did not fail they stay within the paid amount.
    /// </summary>
    /// <param name="outRefundNo">The merchant's unique refund number (letters, digits, '_'; at most 64): the idempotency key.</param>
    /// <param name="order">The order as <c>orderQuery</c> shows it; the refund is in its currency.</param>
    /// <param name="amount">In major units, with at most the currency's minor digits; more than zero.</param>
    /// <param name="comments">Why (at most 512 characters).</param>
    /// <param name="refundNotifyUrl">Where the REFUND notification goes; the merchant's configured refund URL when null.</param>
    public static RefundRequest Partial(string outRefundNo, OrderView order, decimal amount, string? comments = null, string? refundNotifyUrl = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new()
        {
            OutRefundNo = outRefundNo,
            OutTradeNo = order.OutTradeNo,
            RefundAmount = amount,
            RefundCurrency = order.Currency,
            Comments = comments,
            RefundNotifyUrl = refundNotifyUrl,
        };
    }
}
