namespace TokenPay.Gateway.OperatorConsole;

/// <summary>
/// The console's own requests: its pages, script and event stream (and the icon every page loads). They are
/// not <c>request</c> events and the sandbox does not print them: the console refreshes on events, so its own
/// requests as events made it refresh forever, pushing real events out of the kept log and flooding the terminal.
/// </summary>
public static class ConsoleTraffic
{
    /// <param name="path">The request's path, without query.</param>
    public static bool IsOwn(string? path) =>
        path is not null
        && (path.StartsWith("/admin/console", StringComparison.Ordinal)
            || path.StartsWith("/admin/events", StringComparison.Ordinal)
            || path is "/assets/console.js" or "/favicon.ico");
}
