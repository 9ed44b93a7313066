using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace TokenPay.Hosting;

public static class HostStart
{
    /// <summary>
    /// Starts the host; one whose server cannot listen (a busy port) is stopped before the error leaves. Without the
    /// stop, disposing it cancels the background services that were just starting, and .NET logs each as a crash with
    /// a stack trace under the one sentence that says what to fix. (A failure before the hosted services start, such
    /// as options validation, leaves nothing to stop.)
    /// </summary>
    public static async Task StartOrStopAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            await host.StopAsync(CancellationToken.None);
            throw;
        }
    }
}
