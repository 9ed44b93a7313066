using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Notifications;

/// <summary>
/// The outbox's backlog for the metrics gauges, read from the database at most once a second (one collection
/// asks for both gauges; a scrape storm costs one query per second).
/// </summary>
internal sealed class OutboxBacklog(NotificationOutbox outbox, TimeProvider clock)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private (long Due, double OldestDueAgeSeconds) _last;
    private long _readAt = long.MinValue;

    public (long Due, double OldestDueAgeSeconds) Read()
    {
        lock (_lock)
        {
            var now = clock.GetTimestamp();
            if (_readAt != long.MinValue && clock.GetElapsedTime(_readAt, now) < Fresh)
            {
                return _last;
            }

            var at = clock.GetUtcNow().ToUnixTimeMilliseconds();
            // Gauges are collected synchronously; the query is short and bounded by the index on due rows.
            var (due, oldest) = outbox.BacklogAsync(at, CancellationToken.None).GetAwaiter().GetResult();
            _last = (due, oldest is { } since ? Math.Max(0, at - since) / 1000.0 : 0);
            _readAt = now;
            return _last;
        }
    }
}
