using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Disputes;

/// <summary>A case as caseSearch, caseList and the CHARGEBACK notification show it.</summary>
internal static class DisputeViews
{
    public static CaseView From(DisputeRecord dispute) => new()
    {
        CaseId = dispute.CaseId,
        Status = dispute.Status,
        CaseResult = dispute.CaseResult,
        ReasonCode = dispute.ReasonCode,
        ReasonMessage = dispute.ReasonMessage,
        ReasonCategory = dispute.ReasonCategory,
        OutTradeNo = dispute.OutTradeNo,
        TradeToken = dispute.TradeToken,
        ChannelOrderNo = dispute.AcquirerReference,
        OutUserId = dispute.UserId,
        PaymentTokenId = dispute.PaymentTokenId,
        TradeAmount = Currencies.FromMinorUnits(dispute.OrderAmountMinor, dispute.Currency),
        TradeCurrency = dispute.Currency,
        TradeCountry = dispute.Country,
        TradeCreateTime = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(dispute.OrderCreatedAt)),
        PayFinishTime = dispute.OrderCompletedAt is { } paid ? PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(paid)) : null,
        Amount = Currencies.FromMinorUnits(dispute.AmountMinor, dispute.Currency),
        Fee = Currencies.FromMinorUnits(dispute.FeeMinor, dispute.Currency),
        TotalAmount = Currencies.FromMinorUnits(dispute.AmountMinor + dispute.FeeMinor, dispute.Currency),
        Currency = dispute.Currency,
        RetrievalDate = dispute.RetrievalDate,
        ExpirationDate = dispute.ExpirationDate,
        CardOrg = dispute.Brand,
        PaymentMethodType = Wire.Card,
        ProductDesc = dispute.Subject,
    };
}
