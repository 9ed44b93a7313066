using Microsoft.Extensions.Options;
using TokenPay.Gateway.Hosting;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Notifications;

/// <summary>
/// The one outbox dispatcher: leases due notifications, sends them in parallel, records every attempt and
/// schedules the next by the configured offsets from the first attempt. Several gateway processes may run
/// one each on the same database; leases keep them from sending the same attempt twice.
/// </summary>
internal sealed partial class NotificationDispatcher(
    NotificationOutbox outbox,
    NotificationSender sender,
    NotificationSignal signal,
    TimeProvider clock,
    IOptions<GatewayOptions> options,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    private readonly NotificationOptions _options = options.Value.Notifications;
    private readonly IReadOnlyList<TimeSpan> _schedule = options.Value.Notifications.EffectiveSchedule;

    /// <summary>Identifies this dispatcher in leases.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Delivers everything due now; returns how many attempts were made.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var due = await outbox.ClaimDueAsync(Owner, now, now + (long)_options.LeaseDuration.TotalMilliseconds, _options.BatchSize, cancellationToken);
            if (due.Count == 0)
            {
                return total;
            }

            await Parallel.ForEachAsync(
                due,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                async (notification, ct) => await DeliverAsync(notification, ct));
            total += due.Count;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchDueAsync(stoppingToken);
                await signal.WaitAsync(await IdleTimeAsync(stoppingToken), clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Storage outage or a bug: keep the loop alive; leases return the rows after they expire.
                LogDispatchFailed(logger, ex.GetType().FullName, ex.StackTrace);
                await Task.Delay(_options.PollInterval, clock, stoppingToken);
            }
        }
    }

    // Sleep until the next row falls due, but look again at least every poll interval for rows other processes wrote.
    private async Task<TimeSpan> IdleTimeAsync(CancellationToken cancellationToken)
    {
        var next = await outbox.NextDueAsync(cancellationToken);
        if (next is null)
        {
            return _options.PollInterval;
        }

        var untilDue = DateTimeOffset.FromUnixTimeMilliseconds(next.Value) - clock.GetUtcNow();
        return untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < _options.PollInterval ? untilDue : _options.PollInterval;
    }

    private async Task DeliverAsync(DueNotification notification, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var startedTimestamp = clock.GetTimestamp();
        var result = await sender.SendAsync(notification.Url, notification.Body, cancellationToken);
        var latency = clock.GetElapsedTime(startedTimestamp);

        var firstAttemptAt = notification.FirstAttemptAt ?? started.ToUnixTimeMilliseconds();
        var nextIndex = notification.ScheduleIndex + 1;
        long? nextAttemptAt = !result.Acknowledged && nextIndex < _schedule.Count
            ? firstAttemptAt + (long)_schedule[nextIndex].TotalMilliseconds
            : null;

        var recorded = await outbox.RecordAttemptAsync(new DeliveryAttempt
        {
            NotificationId = notification.Id,
            StartedAt = started.ToUnixTimeMilliseconds(),
            HttpStatus = result.HttpStatus,
            LatencyMs = (long)latency.TotalMilliseconds,
            ResponseExcerpt = result.ResponseExcerpt,
            Error = result.Error,
            Acknowledged = result.Acknowledged,
            FirstAttemptAt = firstAttemptAt,
            NextAttemptAt = nextAttemptAt,
        }, Owner, cancellationToken);

        if (recorded && !result.Acknowledged && nextAttemptAt is null)
        {
            LogGaveUp(logger, notification.Id, notification.Attempts + 1);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} failed after {Attempts} attempts; an operator can re-send it")]
    private static partial void LogGaveUp(ILogger logger, long notificationId, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification dispatch failed with {ExceptionType}: {StackTrace}")]
    private static partial void LogDispatchFailed(ILogger logger, string? exceptionType, string? stackTrace);
}
