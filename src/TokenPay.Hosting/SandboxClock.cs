namespace TokenPay.Hosting;

/// <summary>What one move of the sandbox clock did.</summary>
/// <param name="Stops">The moments the clock stopped at to run due work, the last one being <paramref name="To"/>.</param>
/// <param name="Handled">Items the scheduled work handled, by its name.</param>
public sealed record ClockMove(DateTimeOffset From, DateTimeOffset To, int Stops, IReadOnlyDictionary<string, int> Handled);

/// <summary>
/// The sandbox's clock, shared by the gateway and the merchant service in one process: real time plus an offset
/// an operator moves forward. A move stops at each moment some <see cref="IScheduledWork"/> falls due, in order, and
/// runs all the work due there before going on, so a notification retried six times over 12 hours is delivered at
/// each of its offsets. Timers keep real durations: background loops notice the new time on their next tick.
/// </summary>
public sealed class SandboxClock(TimeProvider real) : TimeProvider, IDisposable
{
    /// <summary>A move never stops more often than this (a runaway schedule cannot hold the clock forever).</summary>
    public const int MaxStops = 10_000;

    private readonly List<IScheduledWork> _work = [];
    private readonly SemaphoreSlim _moving = new(1, 1);
    private long _offsetTicks;

    public SandboxClock() : this(System)
    {
    }

    public override DateTimeOffset GetUtcNow() => real.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>The clock the sandbox's time is offset from.</summary>
    public TimeProvider Real => real;

    /// <summary>How far ahead of real time the sandbox is.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Adds the work a service runs on this clock (the gateway's and the merchant's, in the order they should run at each stop).</summary>
    public void Attach(IEnumerable<IScheduledWork> work)
    {
        lock (_work)
        {
            _work.AddRange(work);
        }
    }

    /// <summary>Moves the clock forward to <paramref name="target"/>, running everything that falls due on the way.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The target is not later than now.</exception>
    public Task<ClockMove> MoveToAsync(DateTimeOffset target, CancellationToken cancellationToken) => MoveAsync(_ => target, cancellationToken);

    /// <summary>Moves the clock forward by <paramref name="by"/> (from the moment the move starts).</summary>
    public Task<ClockMove> MoveByAsync(TimeSpan by, CancellationToken cancellationToken) => MoveAsync(now => now + by, cancellationToken);

    private async Task<ClockMove> MoveAsync(Func<DateTimeOffset, DateTimeOffset> targetFrom, CancellationToken cancellationToken)
    {
        await _moving.WaitAsync(cancellationToken);
        try
        {
            var from = GetUtcNow();
            var target = targetFrom(from);
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target, from);
            IScheduledWork[] work;
            lock (_work)
            {
                work = [.. _work];
            }

            var handled = work.Select(w => w.Name).Distinct().ToDictionary(name => name, _ => 0);
            var stops = 0;
            while (stops < MaxStops - 1 && await NextStopAsync(work, target, cancellationToken) is { } stop)
            {
                SetNow(stop);
                await RunDueAsync(work, handled, cancellationToken);
                stops++;
            }

            if (GetUtcNow() < target)
            {
                SetNow(target);
            }

            await RunDueAsync(work, handled, cancellationToken);
            return new ClockMove(from, target, stops + 1, handled);
        }
        finally
        {
            _moving.Release();
        }
    }

    public void Dispose() => _moving.Dispose();

    private void SetNow(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - real.GetUtcNow()).Ticks);

    // The earliest due moment after now and before the target; work still due now (in flight elsewhere) does not hold the clock.
    private async Task<DateTimeOffset?> NextStopAsync(IScheduledWork[] work, DateTimeOffset target, CancellationToken cancellationToken)
    {
        DateTimeOffset? next = null;
        var now = GetUtcNow();
        foreach (var item in work)
        {
            if (await item.NextDueAsync(cancellationToken) is { } due && due > now && due < target && (next is null || due < next))
            {
                next = due;
            }
        }

        return next;
    }

    // Work done at one stop can make other work due at once (a charge retried makes a notification): run again while anything happened.
    private static async Task RunDueAsync(IScheduledWork[] work, Dictionary<string, int> handled, CancellationToken cancellationToken)
    {
        const int MaxRounds = 5;
        for (var round = 0; round < MaxRounds; round++)
        {
            var total = 0;
            foreach (var item in work)
            {
                var count = await item.RunDueAsync(cancellationToken);
                handled[item.Name] += count;
                total += count;
            }

            if (total == 0)
            {
                return;
            }
        }
    }
}
