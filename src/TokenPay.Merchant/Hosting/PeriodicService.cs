namespace TokenPay.Merchant.Hosting;

/// <summary>
/// Background work that runs once per interval on the injected clock (so tests drive it with a fake clock);
/// a failed pass is logged by the subclass and tried again on the next tick.
/// </summary>
internal abstract class PeriodicService(TimeProvider clock, Func<TimeSpan> interval) : BackgroundService
{
    // Made at start: .NET 10 runs ExecuteAsync later on a background thread.
    private PeriodicTimer? _timer;

    protected TimeProvider Clock { get; } = clock;

    /// <summary>One pass of the work.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    /// <summary>Records a pass that failed with an exception (by type, never message text).</summary>
    protected abstract void OnFailed(Exception exception);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(interval(), Clock);
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
            while (await _timer!.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    OnFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, also when the host fails to start (a busy port): a run cut short is no failure.
        }
    }
}
