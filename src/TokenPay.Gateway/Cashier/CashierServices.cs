using TokenPay.Gateway.Orders;

namespace TokenPay.Gateway.Cashier;

/// <summary>The hosted cashier: its (empty, for now) card source of order placement; its pages need no service of their own.</summary>
internal static class CashierServices
{
    public static IServiceCollection AddCashier(this IServiceCollection services) =>
        services.AddSingleton<ICardSource, CashierCardSource>();
}
