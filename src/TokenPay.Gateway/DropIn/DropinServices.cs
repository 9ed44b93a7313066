using TokenPay.Gateway.Orders;

namespace TokenPay.Gateway.DropIn;

/// <summary>Drop-in sessions and frames, and the Drop-in source of order placement.</summary>
internal static class DropinServices
{
    public static IServiceCollection AddDropin(this IServiceCollection services)
    {
        services.AddSingleton<ICardSource, DropinCardSource>();
        services.AddSingleton<DropinEndpoints>();
        return services;
    }
}
