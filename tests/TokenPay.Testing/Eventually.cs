namespace TokenPay.Testing;

/// <summary>Waits (bounded) for background work that the fake clock has set off, such as a sweep tick.</summary>
public static class Eventually
{
    /// <param name="limit">How long to wait; 10 s unless given (real-time work, such as a lease running out, may need more).</param>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? limit = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (waited.Elapsed > (limit ?? TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {value}");
            }

            await Task.Delay(20);
        }
    }
}
