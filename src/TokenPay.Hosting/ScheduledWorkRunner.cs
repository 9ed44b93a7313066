using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TokenPay.Hosting;

/// <summary>
/// Runs one <see cref="IScheduledWork"/> on real time: once per interval on the injected clock's timer (so tests
/// drive it with a fake clock). A failed run is logged by exception type (never message text) and tried again on
/// the next tick. The sandbox clock runs the same work, besides, at each moment it moves through.
/// </summary>
public sealed class ScheduledWorkRunner(IScheduledWork work, Func<TimeSpan> interval, bool runAtStart, TimeProvider clock, ILogger<ScheduledWorkRunner> logger)
    : BackgroundService
{
    // Made at start, not in ExecuteAsync (which .NET runs later on a background thread), so ticks count from start.
    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(interval(), clock);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (runAtStart)
            {
                await RunOnceAsync(stoppingToken);
            }

            while (await _timer!.WaitForNextTickAsync(stoppingToken))
            {
                await RunOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, also when the host fails to start (a busy port): a run cut short is no failure.
        }
    }

    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await work.RunDueAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.ScheduledWorkFailed(work.Name, ex.GetType().FullName);
        }
    }
}

/// <summary>Registers scheduled work: with the sandbox clock (in registration order: the order it runs at each moment) and with its runner.</summary>
public static class ScheduledWorkServices
{
    /// <param name="interval">How often the runner looks on real time (read at start, from options).</param>
    /// <param name="runAtStart">Run once at start too, before the first tick (a restart then recovers what a crash left at once).</param>
    public static IServiceCollection AddScheduledWork<TWork>(this IServiceCollection services, Func<IServiceProvider, TimeSpan> interval, bool runAtStart = false)
        where TWork : class, IScheduledWork
    {
        services.AddSingleton<TWork>();
        services.AddSingleton<IScheduledWork>(sp => sp.GetRequiredService<TWork>());
        // Not AddHostedService: it keeps one hosted service per implementation type, and every runner is a ScheduledWorkRunner.
        services.AddSingleton<IHostedService>(sp => new ScheduledWorkRunner(
            sp.GetRequiredService<TWork>(), () => interval(sp), runAtStart, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ScheduledWorkRunner>>()));
        return services;
    }
}
