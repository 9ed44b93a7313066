using TokenPay.Acquiring;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.DropIn;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Tokens;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Orders;

/// <summary>orderAndPay and orderQuery.</summary>
internal sealed class OrderEndpoints(OrderStore orders, TokenStore tokens, DropinStore dropins, VaultStore cards, CardVault vault, PaymentProcessor payments, AcquirerRouter acquirers, PublicLinks links, TimeProvider clock)
{
    // 10^8 random suffixes per millisecond: a second collision in a row is already a one-in-a-million event.
    private const int MaxTradeTokenDraws = 3;

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

        var placed = await PlaceAsync(request, plan, now, cancellationToken);
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

    /// <summary>
    /// Stores a validated plan as a PENDING order (its card vaulted, a token or Drop-in token checked) and, except
    /// for a hosted cashier order, takes it through the acquirer. Used by orderAndPay and applyPaymentToken.
    /// </summary>
    public async Task<Placement> PlaceAsync(VerifiedRequest request, OrderPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var merchantNo = request.App.MerchantNo;
        var country = plan.Country;
        PlainCard? card = null;
        TokenRecord? storedBy = null;
        StoredCard? newCard = null;
        CardDisplay? display = null;
        long? cardId = null;
        switch (plan.Mode)
        {
            case PaymentMode.TokenCustomer or PaymentMode.TokenMerchant:
                var token = await tokens.FindAsync(merchantNo, plan.PaymentTokenId!, cancellationToken);
                if (TokenRules.RefuseUse(token, plan, now) is { } tokenRefusal)
                {
                    return Placement.Refused(tokenRefusal);
                }

                card = vault.Reveal(token!.Card);
                storedBy = token;
                country ??= token.Country;
                cardId = token.CardId;
                display = CardDisplay.From(token.Card);
                break;

            case PaymentMode.DropIn:
                var dropin = await dropins.FindTokenAsync(plan.DropinPaymentToken!, cancellationToken);
                if (DropinRules.RefuseUse(dropin, plan, merchantNo, now) is { } dropinRefusal)
                {
                    return Placement.Refused(dropinRefusal);
                }

                country ??= dropin!.Session.Country;
                var entered = (await cards.GetCardAsync(dropin!.CardId, cancellationToken))!;
                card = vault.Reveal(entered);
                cardId = entered.Id;
                display = CardDisplay.From(entered);
                break;

            case PaymentMode.Hosted:
                // The card arrives later, on the cashier page.
                break;

            default:
                card = plan.Card!;
                country ??= IssuingCountries.Of(card.Pan);
                newCard = vault.Protect(card);
                display = CardDisplay.From(newCard);
                break;
        }

        // Nobody named it: PayerMax marks it unknown, and its cashier asks the shopper (docs/protocol.md 3.1).
        country ??= request.App.DefaultCountry ?? Countries.Unknown;

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
            Country = country,
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
            CashierId = plan.Mode == PaymentMode.Hosted ? TradeIds.Secret() : null,
            // Stored as being sent before it is sent: a crash after the acquirer decided leaves an order recovery settles.
            AcquirerState = plan.Mode == PaymentMode.Hosted ? null : AcquirerStates.Sending,
            SentAt = plan.Mode == PaymentMode.Hosted ? null : now.ToUnixTimeMilliseconds(),
            Acquirer = acquirers.NameFor(merchantNo),
        };

        // The unique index on (merchant, outTradeNo) decides duplicates before any money moves.
        var inserted = await orders.TryInsertAsync(order, newCard, plan.DropinPaymentToken, cancellationToken);
        for (var draw = 1; inserted.Outcome == InsertOutcome.TradeTokenTaken && draw < MaxTradeTokenDraws; draw++)
        {
            order = order with { TradeToken = TradeIds.TradeToken(now) };
            inserted = await orders.TryInsertAsync(order, newCard, plan.DropinPaymentToken, cancellationToken);
        }

        switch (inserted.Outcome)
        {
            case InsertOutcome.DuplicateOutTradeNo:
                return new Placement(null, Duplicate: true, null, null);
            case InsertOutcome.DropinTokenSpent:
                return Placement.Refused(ApiReply.Error(ResultCodes.TokenInvalid, "paymentDetail.paymentToken has already been used or has expired."));
            case InsertOutcome.PaymentTokenUnusable:
                return Placement.Refused(ApiReply.Error(ResultCodes.TokenInvalid, "paymentTokenID has been removed or has expired and can no longer be charged."));
            case InsertOutcome.TradeTokenTaken:
                throw new InvalidOperationException($"No free trade token after {MaxTradeTokenDraws} draws.");
        }

        order = order with { Id = inserted.OrderId, CardId = inserted.CardId };
        return plan.Mode == PaymentMode.Hosted
            ? new Placement(null, false, order, null)
            : new Placement(null, false, order, await payments.AuthorizeAsync(order, card!, authenticated: false, storedBy, cancellationToken));
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

/// <summary>What placing an order did: refused (nothing stored), a duplicate order number, or the order with the acquirer's result (none yet for a cashier order).</summary>
internal sealed record Placement(ApiReply? Refusal, bool Duplicate, OrderRecord? Order, PaymentResult? Result)
{
    public static Placement Refused(ApiReply refusal) => new(refusal, false, null, null);
}
