using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using static TokenPay.Gateway.Envelope.FieldRules;

namespace TokenPay.Gateway.Refunds;

/// <summary>
/// <c>refund</c> and <c>refundQuery</c> (docs/protocol.md 2.6). Every refusal is a coded answer naming the
/// field or the rule, and stores nothing; a repeated outRefundNo answers the refund it already made.
/// </summary>
internal sealed class RefundEndpoints(OrderStore orders, RefundStore refunds, RefundProcessor processor, TimeProvider clock)
{
    public async Task<ApiReply> RefundAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<RefundRequest>(request, out var data, out var error))
        {
            return error;
        }

        if (Check(data) is { } invalid)
        {
            return invalid;
        }

        var merchantNo = request.App.MerchantNo;
        var order = data.OutTradeNo is { } outTradeNo
            ? await orders.FindAsync(merchantNo, outTradeNo, cancellationToken)
            : await orders.FindByTradeTokenAsync(merchantNo, data.TradeToken!, cancellationToken);
        if (order is null || (data.OutTradeNo is not null && data.TradeToken is not null && order.TradeToken != data.TradeToken))
        {
            return ApiReply.Error(ResultCodes.OrderNotExist, "No order with this outTradeNo (or tradeToken) exists for this merchant.");
        }

        var currency = data.RefundCurrency!.ToUpperInvariant();
        if (await refunds.FindAsync(merchantNo, data.OutRefundNo!, cancellationToken) is { } existing)
        {
            return Repeat(existing, order, data.RefundAmount!.Value, currency);
        }

        if (order.Status != OrderStatuses.Success)
        {
            return ApiReply.Error(ResultCodes.OrderStatusInvalid, $"Only a SUCCESS order can be refunded; this order is {order.Status}.");
        }

        if (currency != order.Currency)
        {
            return ApiReply.Error(ResultCodes.CurrencyInvalid, $"refundCurrency must be the order's currency, {order.Currency}.");
        }

        if (!Currencies.TryToMinorUnits(data.RefundAmount!.Value, currency, out var amountMinor))
        {
            return ApiReply.Error(ResultCodes.AmountInvalid, $"refundAmount has more decimals than {currency} allows ({Currencies.MinorDigits(currency)}).");
        }

        var now = clock.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            var refund = new RefundRecord
            {
                RefundTradeNo = TradeIds.RefundTradeNo(now),
                MerchantNo = merchantNo,
                AppId = request.App.AppId,
                OutRefundNo = data.OutRefundNo!,
                OrderId = order.Id,
                AmountMinor = amountMinor,
                Currency = currency,
                Comments = data.Comments,
                NotifyUrl = data.RefundNotifyUrl,
                Status = RefundStatuses.Pending,
                CreatedAt = now.ToUnixTimeMilliseconds(),
                CheckAt = processor.FirstCheckAt(now),
                OutTradeNo = order.OutTradeNo,
                TradeToken = order.TradeToken,
            };
            var (outcome, id) = await refunds.TryCreateAsync(refund, cancellationToken);
            switch (outcome)
            {
                case RefundInsertOutcome.Created:
                    return Answer(await processor.SendAsync(refund with { Id = id }, order, cancellationToken));
                case RefundInsertOutcome.DuplicateOutRefundNo:
                    // A concurrent request with the same outRefundNo won.
                    return Repeat((await refunds.FindAsync(merchantNo, data.OutRefundNo!, cancellationToken))!, order, data.RefundAmount.Value, currency);
                case RefundInsertOutcome.AmountExceeded:
                    return Exceeded(await orders.FindAsync(merchantNo, order.OutTradeNo, cancellationToken) ?? order, data.RefundAmount.Value);
                case RefundInsertOutcome.RefundTradeNoTaken when attempt < 3:
                    continue;
                default:
                    throw new InvalidOperationException("Could not draw a free refund number.");
            }
        }
    }

    public async Task<ApiReply> RefundQueryAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<RefundQueryRequest>(request, out var data, out var error))
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(data.OutRefundNo) && string.IsNullOrWhiteSpace(data.RefundTradeNo))
        {
            return ApiReply.Invalid("outRefundNo or refundTradeNo is required.");
        }

        if ((Optional(data.OutRefundNo, "outRefundNo", 64) ?? Optional(data.RefundTradeNo, "refundTradeNo", 64)) is { } tooLong)
        {
            return tooLong;
        }

        var refund = !string.IsNullOrWhiteSpace(data.OutRefundNo)
            ? await refunds.FindAsync(request.App.MerchantNo, data.OutRefundNo, cancellationToken)
            : await refunds.FindByRefundTradeNoAsync(request.App.MerchantNo, data.RefundTradeNo!, cancellationToken);
        return refund is null
            ? ApiReply.Error(ResultCodes.RefundNotExist, "No refund with this outRefundNo (or refundTradeNo) exists for this merchant.")
            : ApiReply.Success(RefundViews.From(refund));
    }

    private static ApiReply? Check(RefundRequest r)
    {
        if (MerchantNumber(r.OutRefundNo, "outRefundNo") is { } e1) return e1;
        if (r.OutTradeNo is null && r.TradeToken is null) return ApiReply.Invalid("outTradeNo or tradeToken is required.");
        if (r.OutTradeNo is not null && MerchantNumber(r.OutTradeNo, "outTradeNo") is { } e2) return e2;
        if (r.TradeToken is not null && Required(r.TradeToken, "tradeToken", 64) is { } e3) return e3;
        if (Optional(r.Comments, "comments", 512) is { } e4) return e4;
        if (Url(r.RefundNotifyUrl, "refundNotifyUrl", 256) is { } e5) return e5;
        if (string.IsNullOrEmpty(r.RefundCurrency)) return ApiReply.Invalid("refundCurrency is required.");
        if (!Currencies.IsKnown(r.RefundCurrency.ToUpperInvariant())) return ApiReply.Error(ResultCodes.CurrencyInvalid, "refundCurrency is not an ISO 4217 currency code.");
        if (r.RefundAmount is not { } amount) return ApiReply.Invalid("refundAmount is required.");
        return amount <= 0 ? ApiReply.Error(ResultCodes.AmountInvalid, "refundAmount must be more than zero.") : null;
    }

    // The same outRefundNo again: the refund it made, if the request is the same one; otherwise a refusal.
    private static ApiReply Repeat(RefundRecord existing, OrderRecord order, decimal amount, string currency) =>
        existing.OrderId == order.Id && existing.Currency == currency && Currencies.FromMinorUnits(existing.AmountMinor, existing.Currency) == amount
            ? Answer(existing)
            : ApiReply.Error(ResultCodes.OrderRepeat, "outRefundNo has already been used for another refund of this merchant.");

    private static ApiReply Exceeded(OrderRecord order, decimal amount)
    {
        if (order.Status != OrderStatuses.Success)
        {
            return ApiReply.Error(ResultCodes.OrderStatusInvalid, $"Only a SUCCESS order can be refunded; this order is {order.Status}.");
        }

        var left = Currencies.FromMinorUnits(Math.Max(order.LeftMinor, 0), order.Currency);
        return ApiReply.Error(ResultCodes.RefundAmountExceeded, order.AmountMinor == 0
            ? "This order saved a card without a payment: there is nothing to refund."
            : $"refundAmount {amount} exceeds what is left to refund on this order: {left} {order.Currency}{Disputed(order)}.");
    }

    // What disputes hold of the order, when they hold anything (docs/disputes.md, Money).
    private static string Disputed(OrderRecord order)
    {
        var held = new List<string>(2);
        if (order.DisputedMinor > 0) held.Add($"{Currencies.FromMinorUnits(order.DisputedMinor, order.Currency)} {order.Currency} frozen by an open dispute");
        if (order.ChargedBackMinor > 0) held.Add($"{Currencies.FromMinorUnits(order.ChargedBackMinor, order.Currency)} {order.Currency} charged back");
        return held.Count == 0 ? "" : $" ({string.Join(", ", held)})";
    }

    private static ApiReply Answer(RefundRecord refund) => ApiReply.Success(new RefundResult
    {
        OutRefundNo = refund.OutRefundNo,
        TradeOrderNo = refund.TradeToken,
        RefundTradeNo = refund.RefundTradeNo,
        Status = refund.Status,
    });
}
