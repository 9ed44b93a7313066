using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenPay.Acquiring;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Notifications;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// The sandbox at the gateway's edges (only with <c>Gateway:Sandbox:Enabled</c>): its clock, the failure rules in
/// front of the acquirers, the API and the notification sender, and its operator API. The gateway below knows
/// none of it: the sandbox replaces or decorates the services and filters the API group it is given.
/// </summary>
internal static class SandboxServices
{
    /// <summary>Call after the gateway's own services are registered: it decorates and replaces them.</summary>
    public static IServiceCollection AddGatewaySandbox(this IServiceCollection services)
    {
        UseSandboxClock(services);
        services.TryAddSingleton<FaultRules>();
        services.AddSingleton<ApiFaults>();
        services.AddSingleton<NotificationFaults>();
        services.AddSingleton<NotificationForwarding>();
        services.AddSingleton<ConfiguredTimeWindow>();
        services.TryAddSingleton<IDisputeCaseLookup, NoGatewayCases>();
        services.AddSingleton<DisputeTriggers>();
        services.Replace(ServiceDescriptor.Singleton<IRequestTimeWindow, SandboxTimeWindow>());
        services.Replace(ServiceDescriptor.Singleton<INotificationSender, SandboxNotificationSender>());
        PutFaultsInFrontOfAcquirers(services);
        return services;
    }

    /// <summary>Runs the gateway's scheduled work on the sandbox clock, puts the API rules inside the signature gate of <paramref name="api"/>, and maps <c>/sandbox</c>.</summary>
    public static void MapSandbox(this WebApplication app, RouteGroupBuilder api)
    {
        app.Services.GetRequiredService<SandboxClock>().Attach(app.Services.GetServices<IScheduledWork>());
        api.AddEndpointFilter(app.Services.GetRequiredService<ApiFaults>());
        app.MapSandboxApi();
    }

    // One sandbox clock: the host's (the sandbox shares one with its merchant), or one over the host's clock (a test's fake), or over real time.
    private static void UseSandboxClock(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(TimeProvider))?.ImplementationInstance as TimeProvider;
        var clock = registered as SandboxClock ?? new SandboxClock(registered ?? TimeProvider.System);
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(clock);
    }

    // Each acquirer gets the acquirer rules in front of it: one wrapper per name for the gateway's life (it holds what the rules hold back).
    private static void PutFaultsInFrontOfAcquirers(IServiceCollection services)
    {
        foreach (var acquirer in services.Where(d => d.ServiceType == typeof(IAcquirer) && d.IsKeyedService).ToList())
        {
            services.Remove(acquirer);
            services.AddKeyedSingleton<IAcquirer>(acquirer.ServiceKey, (sp, key) => ActivatorUtilities.CreateInstance<FaultyAcquirer>(sp, Undecorated(sp, acquirer, key)));
        }
    }

    private static IAcquirer Undecorated(IServiceProvider services, ServiceDescriptor registered, object? key) =>
        (IAcquirer)(registered.KeyedImplementationInstance
            ?? registered.KeyedImplementationFactory?.Invoke(services, key)
            ?? ActivatorUtilities.CreateInstance(services, registered.KeyedImplementationType!));
}
