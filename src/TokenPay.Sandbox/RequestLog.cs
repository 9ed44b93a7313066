using System.Diagnostics;

namespace TokenPay.Sandbox;

/// <summary>
/// Prints one line per request the sandbox serves (service, method, path, status, milliseconds), so a person
/// trying it sees what happens; the console's own requests are left out. Link secrets never print: the id after
/// /threeds/ and /cashier/ is elided and query strings (Drop-in keys, order numbers) are dropped.
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
                PrintUnlessConsole(http, Stopwatch.GetElapsedTime(started));
            }
        });
        next(app);
    };

    private void PrintUnlessConsole(HttpContext http, TimeSpan elapsed)
    {
        // The console's live updates would print a line for every event.
        if (TokenPay.Gateway.OperatorConsole.ConsoleTraffic.IsOwn(http.Request.Path.Value))
        {
            return;
        }

        var line = $"{service,-8} {http.Request.Method,-6} {TokenPay.Gateway.Core.PublicLinks.RedactSecrets(http.Request.Path.Value)} {http.Response.StatusCode} {elapsed.TotalMilliseconds:F0} ms";
        lock (Console)
        {
            System.Console.WriteLine(line);
        }
    }
}
