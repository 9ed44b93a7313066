using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Orders;

/// <summary>An order as orderQuery (and the PAYMENT notification) show it: card masked, amounts at the currency's scale.</summary>
internal static class OrderViews
{
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
            Currency = order.Currency,
            Country = order.Country,
            Reference = order.Reference,
            CompleteTime = order.CompletedAt is { } completed ? PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(completed)) : null,
            ResultCode = order.Status is OrderStatuses.Failed or OrderStatuses.Closed ? order.ResultCode : null,
            ResultMsg = order.ResultMsg ?? (order.Status == OrderStatuses.Success ? "Success." : null),
            ChannelNo = order.AcquirerReference,
            PaymentDetails =
            [
                new PaymentDetailView
                {
                    PaymentMethodType = Wire.Card,
                    PaymentTokenId = order.PaymentTokenId,
                    CardInfo = order.Card is { } card
                        ? new CardInfoView { CardOrg = card.Brand, CardIdentifierNo = card.Masked, CardIdentifierName = card.HolderMasked }
                        : null,
                    PayAmount = amount,
                    PayCurrency = order.Currency,
                },
            ],
        };
    }
}
