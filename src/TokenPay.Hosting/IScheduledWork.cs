namespace TokenPay.Hosting;

/// <summary>
/// Background work that falls due on the clock (notification retries, order expiry, reconciliation...). Its
/// service runs it on its own timer; the sandbox clock also runs it at each moment it moves through, so moving
/// time delivers every retry at its offset instead of all at once at the end.
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
