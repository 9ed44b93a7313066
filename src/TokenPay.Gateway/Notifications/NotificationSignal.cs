namespace TokenPay.Gateway.Notifications;

/// <summary>Wakes this process's dispatcher when an order has just written outbox rows, so the first attempt is immediate.</summary>
internal sealed class NotificationSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // One pending wake-up is enough: the dispatcher drains everything due when it wakes.
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    /// <summary>Waits for a wake-up or for <paramref name="timeout"/> on the given clock; true when woken.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, clock, timer.Token);
        var signalled = _signal.WaitAsync(timer.Token);
        var first = await Task.WhenAny(delay, signalled);
        await timer.CancelAsync();
        try
        {
            await Task.WhenAll(delay, signalled);
        }
        catch (OperationCanceledException)
        {
            // The loser of the race was cancelled.
        }

        cancellationToken.ThrowIfCancellationRequested();
        return first == signalled && signalled.IsCompletedSuccessfully;
    }

    public void Dispose() => _signal.Dispose();
}
