using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Orders;

/// <summary>Placing, paying and sweeping orders; the new-card source of order placement.</summary>
internal static class OrderServices
{
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddSingleton<PaymentProcessor>();
        services.AddSingleton<ICardSource, NewCardSource>();
        services.AddSingleton<OrderPlacement>();
        services.AddSingleton<OrderEndpoints>();
        // Every Gateway:Orders:ExpirySweepInterval and once at start (a restart recovers what a crash left).
        services.AddScheduledWork<PendingOrderSweeper>(SweepInterval, runAtStart: true);
        return services;
    }

    /// <summary>How often the gateway's scheduled jobs look on real time (the sandbox clock also stops at each one's due time).</summary>
    public static TimeSpan SweepInterval(IServiceProvider services) =>
        services.GetRequiredService<IOptions<GatewayOptions>>().Value.Orders.ExpirySweepInterval;
}
