using TokenPay.Gateway.Orders;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Refunds;

/// <summary>Refunds: the operations, the processor that sends them to the acquirer, and their settlement.</summary>
internal static class RefundServices
{
    public static IServiceCollection AddRefunds(this IServiceCollection services)
    {
        services.AddSingleton<RefundProcessor>();
        services.AddSingleton<RefundEndpoints>();
        services.AddScheduledWork<RefundSettlement>(OrderServices.SweepInterval, runAtStart: true);
        return services;
    }
}
