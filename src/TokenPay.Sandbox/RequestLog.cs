using System.Diagnostics;

namespace TokenPay.Sandbox;

/// <summary>
/// Prints one line per request the sandbox serves (service, method, path, status, milliseconds), so a person
/// trying it sees what happens. Link secrets never print: the id after /threeds/ and /cashier/ is elided and
/// query strings (Drop-in keys, order numbers) are dropped.
/// </summary>
internal sealed class RequestLog(string service) : IStartupFilter
{
    private static readonly Lock Console = new();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, nextStep) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await nextStep(http);
            }
            finally
            {
                var line = $"{service,-8} {http.Request.Method,-6} {TokenPay.Gateway.Hosting.PublicLinks.RedactSecrets(http.Request.Path.Value)} {http.Response.StatusCode} {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms";
                lock (Console)
                {
                    System.Console.WriteLine(line);
                }
            }
        });
        next(app);
    };
}
