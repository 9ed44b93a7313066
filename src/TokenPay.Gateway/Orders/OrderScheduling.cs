using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Orders;

internal static class OrderScheduling
{
    /// <summary>The pending-order sweep, every <c>Gateway:Orders:ExpirySweepInterval</c> and once at start (a restart recovers what a crash left).</summary>
    internal static IServiceCollection AddOrderScheduling(this IServiceCollection services) =>
        services.AddScheduledWork<PendingOrderSweeper>(sp => sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Orders.ExpirySweepInterval, runAtStart: true);
}
