using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Refunds;

/// <summary>A refund as refundQuery and the REFUND notification show it.</summary>
internal static class RefundViews
{
    public static RefundView From(RefundRecord refund) => new()
    {
        OutRefundNo = refund.OutRefundNo,
        RefundTradeNo = refund.RefundTradeNo,
        OutTradeNo = refund.OutTradeNo,
        RefundAmount = Currencies.FromMinorUnits(refund.AmountMinor, refund.Currency),
        RefundCurrency = refund.Currency,
        Status = refund.Status,
        ResultMsg = refund.ResultMsg,
        RefundFinishTime = refund.CompletedAt is { } done ? PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(done)) : null,
    };
}
