using TokenPay.Gateway.Core;
using TokenPay.Gateway.Orders;

namespace TokenPay.Gateway.Cashier;

/// <summary>Mode E: no card when the order is placed; the customer enters it on the cashier page.</summary>
internal sealed class CashierCardSource : ICardSource
{
    public IReadOnlyCollection<PaymentMode> Modes { get; } = [PaymentMode.Hosted];

    public Task<CardChoice> ChooseAsync(MerchantApp app, OrderPlan plan, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(CardChoice.Later);
}
