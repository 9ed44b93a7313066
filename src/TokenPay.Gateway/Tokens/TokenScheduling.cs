using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Orders;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Tokens;

internal static class TokenScheduling
{
    /// <summary>
    /// The account updater, then token expiry (so at one moment a card it renewed is not expired), each every
    /// <c>Gateway:Orders:ExpirySweepInterval</c> and once at start; the updater also answers payments' checks after a decline.
    /// </summary>
    internal static IServiceCollection AddTokenScheduling(this IServiceCollection services)
    {
        Func<IServiceProvider, TimeSpan> interval = sp => sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Orders.ExpirySweepInterval;
        services.AddScheduledWork<CardUpdater>(interval, runAtStart: true);
        services.AddSingleton<ICardChangeCheck>(sp => sp.GetRequiredService<CardUpdater>());
        return services.AddScheduledWork<TokenExpiry>(interval, runAtStart: true);
    }
}
