using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Notifications;

/// <summary>
/// The one outbox dispatcher: leases due notifications as delivery slots free up, sends them in parallel, records every attempt and
/// schedules the next by the configured offsets from the first attempt. Several gateway processes may run
/// one each on the same database; leases keep them from sending the same attempt twice.
/// </summary>
internal sealed class NotificationDispatcher(
    NotificationOutbox outbox,
    INotificationSender sender,
    NotificationSignal signal,
    TimeProvider clock,
    GatewayMetrics metrics,
    GatewayEvents events,
    IOptions<GatewayOptions> options,
    ILogger<NotificationDispatcher> logger) : BackgroundService, IScheduledWork
{
    private readonly NotificationOptions _options = options.Value.Notifications;
    private readonly IReadOnlyList<TimeSpan> _schedule = options.Value.Notifications.EffectiveSchedule;

    // Deliveries in flight, awaited at shutdown; a slow merchant endpoint holds one slot (for at most the attempt timeout), never the others.
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private int _busySlots;

    // One claimer at a time: the background loop, or the sandbox clock's RunDueAsync.
    private readonly SemaphoreSlim _claiming = new(1, 1);

    /// <summary>Identifies this dispatcher in leases.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartDueDeliveriesAsync(stoppingToken);
                // With every slot busy, a finishing delivery wakes the loop (it signals); otherwise the next due row does.
                var idle = Volatile.Read(ref _busySlots) >= _options.MaxConcurrency ? _options.PollInterval : await IdleTimeAsync(stoppingToken);
                await signal.WaitAsync(idle, clock, stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping, also when the host fails to start (a busy port): a dispatch cut short is no failure.
                break;
            }
            catch (Exception ex)
            {
                // Storage outage or a bug: keep the loop alive; leases return the rows after they expire.
                logger.NotificationDispatchFailed(ex.GetType().FullName, ex.StackTrace);
                await Task.Delay(_options.PollInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        // Cancelled deliveries record nothing; their leases return the rows to whichever node is running.
        await Task.WhenAll(_inFlight.Keys);
    }

    public string Name => "gateway notifications";

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        _options.Enabled && await outbox.NextDueAsync(cancellationToken) is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;

    /// <summary>Delivers every notification due now, and waits for the deliveries (also those the loop had started).</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return 0;
        }

        // Deliveries in flight first: their slots are needed, and their next attempts may fall due now. Claims
        // are serialized with the background loop's, so what it claimed meanwhile is in flight, and awaited, before
        // this returns and the clock moves on (an attempt then starts at the moment it was due).
        var started = 0;
        int more;
        do
        {
            await Task.WhenAll(_inFlight.Keys);
            more = await StartDueDeliveriesAsync(cancellationToken);
            started += more;
        }
        while (more > 0);

        await Task.WhenAll(_inFlight.Keys);
        return started;
    }

    public override void Dispose()
    {
        // Stop the loop first: a claim it is still finishing then fails as part of stopping (ExecuteAsync), not as a fault.
        base.Dispose();
        _claiming.Dispose();
    }

    /// <summary>Leases as many due notifications as there are free delivery slots and starts sending them; returns how many.</summary>
    private async Task<int> StartDueDeliveriesAsync(CancellationToken cancellationToken)
    {
        await _claiming.WaitAsync(cancellationToken);
        try
        {
            return await ClaimAndStartAsync(cancellationToken);
        }
        finally
        {
            _claiming.Release();
        }
    }

    private async Task<int> ClaimAndStartAsync(CancellationToken cancellationToken)
    {
        var started = 0;
        while (_options.MaxConcurrency - Volatile.Read(ref _busySlots) is var free and > 0)
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var due = await outbox.ClaimDueAsync(Owner, now, now + (long)_options.LeaseDuration.TotalMilliseconds, Math.Min(free, _options.BatchSize), cancellationToken);
            if (due.Count == 0)
            {
                return started;
            }

            started += due.Count;

            foreach (var notification in due)
            {
                Interlocked.Increment(ref _busySlots);
                var delivery = DeliverInSlotAsync(notification, cancellationToken);
                _inFlight.TryAdd(delivery, true);
                _ = delivery.ContinueWith(done => _inFlight.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        return started;
    }

    private async Task DeliverInSlotAsync(DueNotification notification, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await DeliverAsync(notification, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The attempt could not be recorded (storage outage): the lease returns the row after it expires.
            logger.NotificationDispatchFailed(ex.GetType().FullName, ex.StackTrace);
        }
        finally
        {
            Interlocked.Decrement(ref _busySlots);
            signal.Notify();
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
        using var activity = GatewayTracing.Source.StartActivity("notification.deliver", System.Diagnostics.ActivityKind.Producer);
        activity?.SetTag("tokenpay.notify_type", notification.NotifyType);
        activity?.SetTag(GatewayTracing.OutTradeNo, notification.OutTradeNo);
        activity?.SetTag("tokenpay.attempt", notification.Attempts + 1);
        var started = clock.GetUtcNow();
        var startedTimestamp = clock.GetTimestamp();
        var result = await sender.SendAsync(notification, cancellationToken);
        if (result.PostponedTo is { } postponedTo)
        {
            await outbox.PostponeAsync(notification.Id, Owner, postponedTo.ToUnixTimeMilliseconds(), cancellationToken);
            return;
        }

        var latency = clock.GetElapsedTime(startedTimestamp);
        activity?.SetTag("tokenpay.acknowledged", result.Acknowledged);
        metrics.NotificationAttempted(result.Acknowledged, latency);

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

        if (recorded)
        {
            events.PublishDelivery("notification.attempt", $", attempt {notification.Attempts + 1}", notification, result, latency);
            if (!result.Acknowledged && nextAttemptAt is null)
            {
                logger.NotificationGaveUp(notification.Id, notification.Attempts + 1);
            }
        }
    }
}
