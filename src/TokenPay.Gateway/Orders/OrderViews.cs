using TokenPay.Acquiring;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Orders;

/// <summary>An order as orderQuery (and the PAYMENT notification) show it: card masked, amounts at the currency's scale.</summary>
internal static class OrderViews
{
    public static DeclineAdvice? AdviceOf(OrderRecord order) =>
        order.AdviceCategory is null && order.MerchantAdviceCode is null ? null : new DeclineAdvice(order.AdviceCategory, order.MerchantAdviceCode);

    /// <summary>A decline's advice as the merchant sees it; a MAC 24-30 wait counts from <paramref name="declinedAt"/>.</summary>
    public static DeclineAdviceView? AdviceView(DeclineAdvice? advice, DateTimeOffset declinedAt) => advice is null ? null : new DeclineAdviceView
    {
        Category = advice.Category,
        MerchantAdviceCode = advice.MerchantAdviceCode,
        RetryAfter = NetworkAdvice.RetryDelay(advice.MerchantAdviceCode) is { } wait ? PayerMaxTime.Format(declinedAt + wait) : null,
        DoNotRetry = advice.ForbidsRetry,
    };

    public static OrderView From(OrderRecord order)
    {
        var amount = Currencies.FromMinorUnits(order.AmountMinor, order.Currency);
        return new OrderView
        {
            OutTradeNo = order.OutTradeNo,
            TradeToken = order.TradeToken,
            Status = order.Status,
            TotalAmount = amount,
            RefundedAmount = order.RefundedMinor > 0 ? Currencies.FromMinorUnits(order.RefundedMinor, order.Currency) : null,
            DisputedAmount = order.DisputedMinor > 0 ? Currencies.FromMinorUnits(order.DisputedMinor, order.Currency) : null,
            ChargedBackAmount = order.ChargedBackMinor > 0 ? Currencies.FromMinorUnits(order.ChargedBackMinor, order.Currency) : null,
            Currency = order.Currency,
            Country = order.Country,
            CashierCountry = order.Country,
            Reference = order.Reference,
            CompleteTime = order.CompletedAt is { } completed ? PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(completed)) : null,
            ResultCode = order.Status is OrderStatuses.Failed or OrderStatuses.Closed ? order.ResultCode : null,
            ResultMsg = order.ResultMsg ?? (order.Status == OrderStatuses.Success ? "Success." : ""),
            ChannelNo = order.AcquirerReference,
            ThirdChannelNo = order.NetworkTransactionId,
            DeclineAdvice = order.Status == OrderStatuses.Failed && order.CompletedAt is { } failedAt ? AdviceView(AdviceOf(order), DateTimeOffset.FromUnixTimeMilliseconds(failedAt)) : null,
            PaymentDetails =
            [
                new PaymentDetailView
                {
                    PaymentMethodType = Wire.Card,
                    PaymentTokenId = order.PaymentTokenId,
                    CardInfo = order.Card is { } card
                        ? new CardInfoView { CardOrg = card.Brand, Country = IssuingCountries.Of(card.Masked) ?? Countries.Unknown, CardIdentifierNo = card.Masked, CardIdentifierName = card.HolderMasked }
                        : null,
                    PayAmount = amount,
                    PayCurrency = order.Currency,
                },
            ],
        };
    }
}
