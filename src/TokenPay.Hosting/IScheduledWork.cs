namespace TokenPay.Hosting;

/// <summary>
/// Background work that falls due on the clock (notification retries, order expiry, reconciliation...). A
/// <see cref="ScheduledWorkRunner"/> (or, for work that must wake at once, its own loop) runs it on real time; the
/// sandbox clock also runs it at each moment it moves through, so moving time delivers every retry at its offset
/// instead of all at once at the end: its <see cref="NextDueAsync"/> must therefore name every moment it has work.
/// </summary>
public interface IScheduledWork
{
    /// <summary>A short name for the sandbox's event log.</summary>
    string Name { get; }

    /// <summary>When the next item falls due, or null when it does not know (it then runs only at each stop).</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    /// <summary>Does all the work due now and waits for it to finish; returns how many items it handled.</summary>
    Task<int> RunDueAsync(CancellationToken cancellationToken);
}
