using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Orders;

/// <summary>orderAndPay and orderQuery.</summary>
internal sealed class OrderEndpoints(OrderStore orders, OrderPlacement placement, PublicLinks links, TimeProvider clock)
{
    public async Task<ApiReply> OrderAndPayAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<OrderAndPayRequest>(request, out var data, out var error))
        {
            return error;
        }

        var now = clock.GetUtcNow();
        if (!OrderAndPayValidator.TryValidate(data, now, out var plan, out error))
        {
            return error;
        }

        var placed = await placement.PlaceAsync(request.App, plan, now, cancellationToken);
        if (placed.Refusal is { } refusal)
        {
            return refusal;
        }

        if (placed.Duplicate)
        {
            return await RepeatAsync(request, plan.OutTradeNo, now, cancellationToken);
        }

        var order = placed.Order!;
        if (placed.Result is not { } result)
        {
            return ApiReply.Success(new OrderAndPayResult
            {
                OutTradeNo = order.OutTradeNo,
                TradeToken = order.TradeToken,
                Status = OrderStatuses.Pending,
                RedirectUrl = links.Cashier(request.Http, order.CashierId!),
            });
        }

        return ApiReply.Success(new OrderAndPayResult
        {
            OutTradeNo = order.OutTradeNo,
            TradeToken = order.TradeToken,
            Status = result.Status,
            RedirectUrl = result.ChallengeId is { } challengeId ? links.Challenge(request.Http, challengeId) : null,
            ResultCode = result.Status == OrderStatuses.Failed ? result.ResultCode : null,
            ResultMsg = result.Status == OrderStatuses.Failed ? result.ResultMsg : null,
            DeclineAdvice = result.Status == OrderStatuses.Failed ? OrderViews.AdviceView(result.Advice, now) : null,
        });
    }

    // A repeated Hosted_Checkout order that is still open answers its cashier link again (docs/protocol.md 2.1).
    private async Task<ApiReply> RepeatAsync(VerifiedRequest request, string outTradeNo, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await orders.FindAsync(request.App.MerchantNo, outTradeNo, cancellationToken);
        if (existing is { CashierId: { } cashierId, Status: OrderStatuses.Pending } && now.ToUnixTimeMilliseconds() < existing.ExpiresAt)
        {
            return ApiReply.Success(new OrderAndPayResult
            {
                OutTradeNo = existing.OutTradeNo,
                TradeToken = existing.TradeToken,
                Status = OrderStatuses.Pending,
                RedirectUrl = links.Cashier(request.Http, cashierId),
            });
        }

        return ApiReply.Error(ResultCodes.OrderRepeat, "outTradeNo has already been used for another order of this merchant.");
    }

    public async Task<ApiReply> OrderQueryAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<OrderQueryRequest>(request, out var data, out var error))
        {
            return error;
        }

        // The charset also keeps token applications (apply:...) out of orderQuery.
        if (FieldRules.MerchantNumber(data.OutTradeNo, "outTradeNo") is { } invalid)
        {
            return invalid;
        }

        var order = await orders.FindAsync(request.App.MerchantNo, data.OutTradeNo!, cancellationToken);
        return order is null
            ? ApiReply.Error(ResultCodes.OrderNotExist, "No order with this outTradeNo exists for this merchant.")
            : ApiReply.Success(OrderViews.From(order));
    }
}
