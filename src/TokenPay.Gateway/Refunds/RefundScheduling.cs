using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Refunds;

internal static class RefundScheduling
{
    /// <summary>Refund settlement, every <c>Gateway:Orders:ExpirySweepInterval</c> (the pace pending refunds are asked about again) and once at start.</summary>
    internal static IServiceCollection AddRefundScheduling(this IServiceCollection services) =>
        services.AddScheduledWork<RefundSettlement>(sp => sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Orders.ExpirySweepInterval, runAtStart: true);
}
