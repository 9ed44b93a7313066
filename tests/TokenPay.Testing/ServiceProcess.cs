using System.Diagnostics;

namespace TokenPay.Testing;

/// <summary>
/// A service of this solution as its own operating-system process (<c>dotnet NAME.dll</c> from the test's output):
/// its settings go in the environment, not on the command line every local user can list; its output is kept to
/// explain a failure; a test can kill it with SIGKILL, and a test run that ends abruptly takes it along.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output;

    private ServiceProcess(Process process)
    {
        _process = process;
        _output = new ProcessOutput(process);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillQuietly();
    }

    /// <summary>What the process printed so far.</summary>
    public string Output => _output.Text;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <param name="assembly">The service's assembly name, e.g. <c>TokenPay.Gateway</c>.</param>
    /// <param name="settings">Configuration keys as in appsettings (<c>Gateway:Storage:Provider</c>).</param>
    public static ServiceProcess Start(string assembly, string url, IEnumerable<KeyValuePair<string, string?>> settings, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, $"{assembly}.dll"));
        start.ArgumentList.Add($"--urls={url}");
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new ServiceProcess(Process.Start(start)!);
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGKILL: no shutdown, nothing flushed, leases left as they are.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void KillQuietly()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
