using System.Diagnostics;
using Npgsql;

namespace TokenPay.Testing;

/// <summary>
/// A real PostgreSQL server for the test run, started from Debian's binaries (<c>/usr/lib/postgresql/N/bin</c>,
/// or <c>POSTGRES_BIN</c>) in a temporary directory on a free port of 127.0.0.1, and stopped when the test
/// process exits. <c>initdb</c> refuses root, so as root it runs as the <c>postgres</c> user. Without the
/// binaries, tests that need it are skipped with <see cref="SkipReason"/>, except under <c>CI=true</c>, where
/// they fail: a CI machine without PostgreSQL is never green by accident. Each server's directory holds an
/// owner lock while its test process lives; a start first removes the servers of test processes that died
/// without removing theirs (a killed test host leaves a running postmaster and gigabytes of data behind).
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private const string DirectoryPrefix = "tokenpay-pg-";
    private const string OwnerLockFile = "owner.lock";

    private readonly string _bin;
    private readonly string _directory;

    private PostgresServer(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The directory holding the server binaries, or null when none is installed.</summary>
    public static string? BinDirectory =>
        Environment.GetEnvironmentVariable("POSTGRES_BIN") is { Length: > 0 } configured ? configured
        : Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run.</summary>
    public static string? SkipReason => BinDirectory is not null || InCi ? null : "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install -y postgresql, or set POSTGRES_BIN); CI=true makes this a failure.";

    /// <summary>The run's server, started on first use.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A server of the caller's own, for tests that stop and start it (the shared one serves parallel tests).</summary>
    public static Task<PostgresServer> StartPrivateAsync() => StartAsync();

    /// <summary>Stops the server at once, as a crash or an outage would (connections are cut).</summary>
    public Task StopAsync() => StopServerAsync(_bin, _directory);

    /// <summary>Starts the server again on the same port and data.</summary>
    public Task RestartAsync() => Launch(_bin, _directory, Port);

    /// <summary>A new, empty database on the server; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true, Timeout = 10 }.ToString();

    /// <summary>Runs a server binary (as postgres when this process is root) and returns its output; throws with the output on failure.</summary>
    public Task<string> RunAsync(string tool, params string[] arguments) => Run(_bin, tool, arguments);

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException(InCi
            ? "CI=true but PostgreSQL is missing: .ci/run must install it (apt-get install -y postgresql)."
            : SkipReason);
        await RemoveAbandonedServersAsync(bin);
        var directory = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        var ownerLock = TryLockOwner(directory) ?? throw new InvalidOperationException($"Could not lock the new server directory {directory}.");
        if (IsRoot)
        {
            await Run("/usr/bin", "chown", ["-R", "postgres", directory], asPostgres: false);
        }

        var data = Path.Combine(directory, "data");
        await Run(bin, "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
        var port = FreePorts.Next();
        await Launch(bin, directory, port);
        var server = new PostgresServer(bin, directory, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.RemoveAfterExit(ownerLock);
        return server;
    }

    private static Task<string> StopServerAsync(string bin, string directory) =>
        Run(bin, "pg_ctl", ["-D", Path.Combine(directory, "data"), "-m", "immediate", "-w", "stop"]);

    // Durable commits as in production (fsync on); the socket directory is ours, not /var/run. A small WAL
    // budget: every test database is a copy of the template written through the WAL.
    private static Task<string> Launch(string bin, string directory, int port) =>
        Run(bin, "pg_ctl", ["-D", Path.Combine(directory, "data"), "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c max_wal_size=256MB -c min_wal_size=64MB", "start"]);

    /// <summary>
    /// Stops the server and deletes its directory from a detached shell: the test host is killed moments after
    /// its exit handlers start, long before a server has shut down and gigabytes are deleted.
    /// </summary>
    private void RemoveAfterExit(FileStream ownerLock)
    {
        var pgCtl = Path.Combine(_bin, "pg_ctl");
        var data = Path.Combine(_directory, "data");
        var script = $"'{pgCtl}' -D '{data}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{_directory}'";
        var start = StartInfo("/usr/bin/setsid", [.. AsPostgres("/bin/sh"), "-c", script]);
        start.RedirectStandardOutput = start.RedirectStandardError = start.RedirectStandardInput = true;
        try
        {
            Process.Start(start)?.Dispose();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid here: the next run's start removes what is left.
        }

        ownerLock.Dispose();
    }

    /// <summary>
    /// Stops and deletes the servers whose owner lock nobody holds: their test process is gone. A directory
    /// with no lock file yet is being created by a live process, unless it has been so for minutes.
    /// </summary>
    private static async Task RemoveAbandonedServersAsync(string bin)
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var abandoned = File.Exists(Path.Combine(directory, OwnerLockFile))
                ? NobodyOwns(directory)
                : TimeProvider.System.GetUtcNow().UtcDateTime - Directory.GetCreationTimeUtc(directory) > TimeSpan.FromMinutes(10);
            if (!abandoned)
            {
                continue;
            }

            try
            {
                if (File.Exists(Path.Combine(directory, "data", "postmaster.pid")))
                {
                    await StopServerAsync(bin, directory);
                }
            }
            catch (InvalidOperationException)
            {
                // A stale pid file: no server running there any more.
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another run is removing it at the same moment.
            }
        }
    }

    // FileShare.None takes an exclusive advisory lock (flock) on Unix, held until the stream is disposed or the process dies.
    private static FileStream? TryLockOwner(string directory)
    {
        try
        {
            return new FileStream(Path.Combine(directory, OwnerLockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool NobodyOwns(string directory)
    {
        using var ownerLock = TryLockOwner(directory);
        return ownerLock is not null;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static async Task<string> Run(string bin, string tool, string[] arguments, bool asPostgres = true)
    {
        var program = Path.Combine(bin, tool);
        string[] command = asPostgres ? [.. AsPostgres(program), .. arguments] : [program, .. arguments];
        var start = StartInfo(command[0], command[1..]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await error;
        return process.ExitCode == 0 ? text : throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {text}");
    }

    // The command line that runs a program as postgres: through runuser when this process is root.
    private static string[] AsPostgres(string program) => IsRoot ? ["runuser", "-u", "postgres", "--", program] : [program];

    private static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
