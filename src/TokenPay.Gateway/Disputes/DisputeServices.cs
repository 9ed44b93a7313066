using TokenPay.Gateway.Orders;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Disputes;

/// <summary>Disputes: the operations, the recorder of cases, and the intake of the acquirers' reports.</summary>
internal static class DisputeServices
{
    public static IServiceCollection AddDisputes(this IServiceCollection services)
    {
        services.AddSingleton<DisputeRecorder>();
        services.AddSingleton<DisputeEndpoints>();
        services.AddScheduledWork<DisputeIntake>(OrderServices.SweepInterval, runAtStart: true);
        return services;
    }
}
