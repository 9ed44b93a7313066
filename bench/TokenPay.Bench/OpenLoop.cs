using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace TokenPay.Bench;

/// <summary>
/// An open-loop load: requests leave at a fixed rate whatever the server does, and each one's latency counts
/// from when it was due, not from when it left (wrk's closed loop waits for answers and so hides a stalled
/// server: coordinated omission). Runs in the bench process, outside the server's.
/// </summary>
internal static class OpenLoop
{
    /// <summary>Sends request i (its signature and body from <paramref name="request"/>) at start + i / rate, for <paramref name="duration"/>.</summary>
    /// <param name="answered">Called with i and the Stopwatch timestamp of each expected answer.</param>
    public static async Task<WrkResult> RunAsync(Uri target, string path, Func<int, (string Sign, byte[] Body)> request, string expect, double rate, TimeSpan duration, Action? everySecond = null, Action<int, long>? answered = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = target,
            Timeout = TimeSpan.FromSeconds(10),
        };
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var failures = 0;
        var firstError = "";
        var inFlight = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        var nextTick = 1;
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            if (Stopwatch.GetElapsedTime(start).TotalSeconds >= nextTick)
            {
                nextTick++;
                everySecond?.Invoke();
            }

            if (Stopwatch.GetElapsedTime(due) is { TotalMilliseconds: < 0 } early)
            {
                await Task.Delay(-early);
            }

            var index = i;
            var (sign, body) = request(i);
            inFlight.Add(SendAsync(index, sign, body));
        }

        await Task.WhenAll(inFlight);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Array.Sort(latencies);
        return new WrkResult(total, seconds, LoadRun.Percentile(latencies, 0.50), LoadRun.Percentile(latencies, 0.95), LoadRun.Percentile(latencies, 0.99), failures, 0, 0, 0, firstError);

        async Task SendAsync(int i, string sign, byte[] body)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                message.Headers.TryAddWithoutValidation("sign", sign);
                using var response = await http.SendAsync(message);
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode || !text.Contains(expect, StringComparison.Ordinal))
                {
                    Fail($"{(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                }
                else
                {
                    answered?.Invoke(i, Stopwatch.GetTimestamp());
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Fail(ex.Message);
            }

            latencies[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
        }

        void Fail(string error)
        {
            if (Interlocked.Increment(ref failures) == 1)
            {
                firstError = error;
            }
        }
    }

    /// <summary>Reads a file of pre-signed "signature TAB body" lines (the wrk script's format).</summary>
    public static (string Sign, byte[] Body)[] ReadBodies(string path) =>
        File.ReadLines(path).Select(line => line.Split('\t', 2)).Select(parts => (parts[0], Encoding.UTF8.GetBytes(parts[1]))).ToArray();
}
