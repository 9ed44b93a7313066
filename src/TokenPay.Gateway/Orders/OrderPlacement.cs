using TokenPay.Acquiring;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>
/// Stores a validated plan as a PENDING order (its card taken from the mode's <see cref="ICardSource"/>) and,
/// except for a hosted cashier order, takes it through the acquirer. Used by orderAndPay and applyPaymentToken.
/// </summary>
internal sealed class OrderPlacement(OrderStore orders, IEnumerable<ICardSource> sources, PaymentProcessor payments, AcquirerRouter acquirers)
{
    // 10^8 random suffixes per millisecond: a second collision in a row is already a one-in-a-million event.
    private const int MaxTradeTokenDraws = 3;

    private readonly Dictionary<PaymentMode, ICardSource> _sources = sources.SelectMany(s => s.Modes, (source, mode) => (mode, source)).ToDictionary();

    public async Task<Placement> PlaceAsync(MerchantApp app, OrderPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var chosen = await _sources[plan.Mode].ChooseAsync(app, plan, now, cancellationToken);
        if (chosen.Refusal is { } refusal)
        {
            return Placement.Refused(refusal);
        }

        var order = NewOrder(app, plan, chosen, now);

        // The unique index on (merchant, outTradeNo) decides duplicates before any money moves.
        var inserted = await orders.TryInsertAsync(order, chosen.NewCard, plan.DropinPaymentToken, cancellationToken);
        for (var draw = 1; inserted.Outcome == InsertOutcome.TradeTokenTaken && draw < MaxTradeTokenDraws; draw++)
        {
            order = order with { TradeToken = TradeIds.TradeToken(now) };
            inserted = await orders.TryInsertAsync(order, chosen.NewCard, plan.DropinPaymentToken, cancellationToken);
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
        return chosen.Card is not { } card
            ? new Placement(null, false, order, null)
            : new Placement(null, false, order, await payments.AuthorizeAsync(order, card, authenticated: false, chosen.StoredBy, cancellationToken));
    }

    private OrderRecord NewOrder(MerchantApp app, OrderPlan plan, CardChoice chosen, DateTimeOffset now)
    {
        var hosted = plan.Mode == PaymentMode.Hosted;
        return new OrderRecord
        {
            TradeToken = TradeIds.TradeToken(now),
            MerchantNo = app.MerchantNo,
            AppId = app.AppId,
            OutTradeNo = plan.OutTradeNo,
            Integrate = plan.Integrate,
            Subject = plan.Subject,
            AmountMinor = plan.AmountMinor,
            Currency = plan.Currency,
            // Nobody named it: PayerMax marks it unknown, and its cashier asks the shopper (docs/protocol.md 3.1).
            Country = plan.Country ?? chosen.Country ?? app.DefaultCountry ?? Countries.Unknown,
            UserId = plan.UserId,
            Reference = plan.Reference,
            Language = plan.Language,
            FrontCallbackUrl = plan.FrontCallbackUrl,
            NotifyUrl = plan.NotifyUrl,
            Status = OrderStatuses.Pending,
            CreatedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = (now + plan.ExpiresIn).ToUnixTimeMilliseconds(),
            CardId = chosen.CardId,
            PaymentTokenId = plan.PaymentTokenId,
            TokenForFutureUse = plan.BindsToken,
            MerchantInitiated = plan.MerchantInitiated,
            MitType = plan.MitType,
            Card = chosen.Display,
            CashierId = hosted ? TradeIds.Secret() : null,
            // Stored as being sent before it is sent: a crash after the acquirer decided leaves an order recovery settles.
            AcquirerState = hosted ? null : AcquirerStates.Sending,
            SentAt = hosted ? null : now.ToUnixTimeMilliseconds(),
            Acquirer = acquirers.NameFor(app.MerchantNo),
        };
    }
}

/// <summary>What placing an order did: refused (nothing stored), a duplicate order number, or the order with the acquirer's result (none yet for a cashier order).</summary>
internal sealed record Placement(ApiReply? Refusal, bool Duplicate, OrderRecord? Order, PaymentResult? Result)
{
    public static Placement Refused(ApiReply refusal) => new(refusal, false, null, null);
}
