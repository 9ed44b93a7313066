using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenPay.Storage;

namespace TokenPay.Acquiring.Simulator;

/// <summary>How a host plugs the simulator in: its tables in the host's database, the acquirer under a name, its 3DS page.</summary>
public static class SimulatorRegistration
{
    /// <summary>The name <c>Gateway:Acquirers</c> routes to the simulator by.</summary>
    public const string Name = "Simulator";

    /// <summary>Applies the simulator's migrations to <paramref name="database"/> and registers it as the acquirer named <see cref="Name"/>.</summary>
    public static async Task AddAcquirerSimulatorAsync(this IServiceCollection services, RelationalDatabase database, CancellationToken cancellationToken)
    {
        var store = new SimulatorStore(database);
        await store.OpenAsync(cancellationToken);
        services.AddSingleton(store);
        services.AddSingleton(new SimulatorDisputeStore(database));
        services.AddSingleton<DisputeNetwork>();
        services.AddSingleton(sp => new SimulatedDisputes(sp.GetRequiredService<SimulatorDisputeStore>(), sp.GetRequiredService<DisputeNetwork>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddKeyedSingleton<IAcquirer, AcquirerSimulator>(Name);
    }

    /// <summary>The simulated issuer's 3-D Secure page at <c>/threeds/{challengeId}</c>.</summary>
    public static void MapAcquirerSimulator(this IEndpointRouteBuilder app) => app.MapSimulatorChallengePage();
}
