using TokenPay.Acquiring.Simulator;
using TokenPay.Storage;

namespace TokenPay.Gateway.Acquiring;

/// <summary>The acquirers (the built-in simulator among them) and the router that picks one per merchant.</summary>
internal static class AcquiringServices
{
    public static async Task AddAcquiringAsync(this IServiceCollection services, RelationalDatabase database, CancellationToken cancellationToken)
    {
        await services.AddAcquirerSimulatorAsync(database, cancellationToken);
        services.AddSingleton<AcquirerRouter>();
    }
}
