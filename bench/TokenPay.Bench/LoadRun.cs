using System.Diagnostics;
using System.Net.Http.Headers;

namespace TokenPay.Bench;

/// <summary>What a fixed-concurrency run achieved.</summary>
internal sealed record LoadResult(string Name, int Requests, int Errors, TimeSpan Elapsed, double P50Ms, double P95Ms, double P99Ms, string? FirstError)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;
}

/// <summary>Drives pre-signed requests at a fixed concurrency for a fixed time, spread over the nodes; each request's answer is checked.</summary>
internal static class LoadRun
{
    /// <summary>An accepted answer: the gateway writes <c>code</c> first, so the check is a prefix test, not a parse.</summary>
    public static bool Accepted(byte[] answer) => answer.AsSpan().StartsWith("{\"code\":\"APPLY_SUCCESS\""u8);

    /// <summary>An accepted payment that succeeded.</summary>
    public static bool Paid(byte[] answer) => Accepted(answer) && answer.AsSpan().IndexOf("\"status\":\"SUCCESS\""u8) >= 0;

    public static async Task<LoadResult> RunAsync(
        string name, IReadOnlyList<HttpClient> nodes, string path, IReadOnlyList<(byte[] Body, string Sign)> requests, bool reuse,
        int concurrency, TimeSpan duration, Func<byte[], bool> isSuccess)
    {
        var latencies = new double[reuse ? 4_000_000 : requests.Count];
        var next = -1;
        var errors = 0;
        string? firstError = null;
        var watch = Stopwatch.StartNew();

        async Task ClientAsync()
        {
            while (watch.Elapsed < duration)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= latencies.Length)
                {
                    return;
                }

                var (body, sign) = requests[reuse ? index % requests.Count : index];
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TryAddWithoutValidation("sign", sign);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    // Round robin over the gateway nodes, as a front door would spread them.
                    using var response = await nodes[index % nodes.Count].SendAsync(request);
                    var answer = await response.Content.ReadAsByteArrayAsync();
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (!response.IsSuccessStatusCode || !isSuccess(answer))
                    {
                        Interlocked.Increment(ref errors);
                        firstError ??= System.Text.Encoding.UTF8.GetString(answer);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Interlocked.Increment(ref errors);
                    firstError ??= ex.GetType().Name;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(ClientAsync)));
        var elapsed = watch.Elapsed;
        var done = Math.Min(next + 1, latencies.Length);
        var sorted = latencies[..done];
        Array.Sort(sorted);
        return new LoadResult(name, done, errors, elapsed, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), firstError);
    }

    /// <summary>The p-quantile of sorted latencies (0 for none): every load of the bench reports by it.</summary>
    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
