namespace TokenPay.Gateway.Core;

/// <summary>The services every layer above uses: the event log, merchants, public links and metrics.</summary>
internal static class CoreServices
{
    public static IServiceCollection AddGatewayCore(this IServiceCollection services, IReadOnlyList<MerchantOptions> merchants)
    {
        services.AddSingleton<GatewayEvents>();
        services.AddSingleton(new MerchantRegistry(merchants));
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<GatewayMetrics>();
        return services;
    }
}
