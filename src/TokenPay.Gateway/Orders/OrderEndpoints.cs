using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Hosting;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Tokens;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Orders;

/// <summary>orderAndPay and orderQuery.</summary>
internal sealed class OrderEndpoints(IGatewayStore store, CardVault vault, PaymentProcessor payments, PublicLinks links, TimeProvider clock)
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

        var merchantNo = request.App.MerchantNo;
        PlainCard card;
        StoredCard? newCard = null;
        long? cardId = null;
        CardDisplay display;
        if (plan.PaymentTokenId is { } tokenId)
        {
            var token = await store.FindTokenAsync(merchantNo, tokenId, cancellationToken);
            if (TokenRules.RefuseUse(token, plan, now) is { } refusal)
            {
                return refusal;
            }

            card = vault.Reveal(token!.Card);
            cardId = token.CardId;
            display = CardDisplay.From(token.Card);
        }
        else
        {
            card = plan.Card!;
            newCard = vault.Protect(card);
            display = CardDisplay.From(newCard);
        }

        var order = new OrderRecord
        {
            TradeToken = TradeIds.TradeToken(now),
            MerchantNo = merchantNo,
            AppId = request.App.AppId,
            OutTradeNo = plan.OutTradeNo,
            Integrate = plan.Integrate,
            Subject = plan.Subject,
            AmountMinor = plan.AmountMinor,
            Currency = plan.Currency,
            Country = plan.Country,
            UserId = plan.UserId,
            Reference = plan.Reference,
            Language = plan.Language,
            FrontCallbackUrl = plan.FrontCallbackUrl,
            NotifyUrl = plan.NotifyUrl,
            Status = OrderStatuses.Pending,
            CreatedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = (now + plan.ExpiresIn).ToUnixTimeMilliseconds(),
            CardId = cardId,
            PaymentTokenId = plan.PaymentTokenId,
            TokenForFutureUse = plan.BindsToken,
            MerchantInitiated = plan.MerchantInitiated,
            MitType = plan.MitType,
            Card = display,
        };

        // The unique index on (merchant, outTradeNo) decides duplicates before any money moves.
        if (await store.TryInsertOrderAsync(order, newCard, cancellationToken) is not { } inserted)
        {
            return ApiReply.Error(ResultCodes.OrderRepeat, "outTradeNo has already been used for another order of this merchant.");
        }

        order = order with { Id = inserted.OrderId, CardId = inserted.CardId };
        var result = await payments.AuthorizeAsync(order, card, authenticated: false, cancellationToken);
        return ApiReply.Success(new OrderAndPayResult
        {
            OutTradeNo = order.OutTradeNo,
            TradeToken = order.TradeToken,
            Status = result.Status,
            RedirectUrl = result.ChallengeId is { } challengeId ? links.Challenge(request.Http, challengeId) : null,
            ResultCode = result.Status == OrderStatuses.Failed ? result.ResultCode : null,
            ResultMsg = result.Status == OrderStatuses.Failed ? result.ResultMsg : null,
        });
    }

    public async Task<ApiReply> OrderQueryAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<OrderQueryRequest>(request, out var data, out var error))
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(data.OutTradeNo) || data.OutTradeNo.Length > 64)
        {
            return ApiReply.Invalid("outTradeNo is required (at most 64 characters).");
        }

        var order = await store.FindOrderAsync(request.App.MerchantNo, data.OutTradeNo, cancellationToken);
        return order is null
            ? ApiReply.Error(ResultCodes.OrderNotExist, "No order with this outTradeNo exists for this merchant.")
            : ApiReply.Success(OrderViews.From(order));
    }
}
