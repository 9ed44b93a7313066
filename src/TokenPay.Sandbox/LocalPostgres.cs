using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace TokenPay.Sandbox;

/// <summary>
/// A PostgreSQL server of the cluster's own, from Debian's binaries (<c>/usr/lib/postgresql/N/bin</c>), with its
/// data under the cluster's data directory (kept across runs), listening on 127.0.0.1 only. <c>initdb</c>
/// refuses root, so as root the server runs as the <c>postgres</c> user.
/// </summary>
internal sealed class LocalPostgres
{
    private readonly string _bin;
    private readonly string _data;

    private LocalPostgres(string bin, string data, int port) => (_bin, _data, Port) = (bin, data, port);

    public int Port { get; }

    /// <summary>Initializes the data directory on first use and starts the server on a free port.</summary>
    public static async Task<LocalPostgres> StartAsync(string directory)
    {
        var bin = FindBinaries() ?? throw new ClusterSetupException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them (apt-get install -y postgresql) or pass --postgres with a connection string.");
        Directory.CreateDirectory(directory);
        var data = Path.Combine(directory, "data");
        if (IsRoot)
        {
            await RunAsync("/usr/bin", "chown", ["-R", "postgres", directory], asPostgres: false);
            try
            {
                await RunAsync("/usr/bin", "test", ["-w", directory]);
            }
            catch (ClusterSetupException)
            {
                throw new ClusterSetupException($"PostgreSQL runs as the postgres user, who cannot reach {directory} (a parent folder is private): pass a --data directory outside private folders, e.g. /tmp/tokenpay-cluster, or --postgres with a connection string.");
            }
        }

        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            await RunAsync(bin, "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions"]);
        }

        var server = new LocalPostgres(bin, data, FreePort());
        await RunAsync(bin, "pg_ctl", ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-o", $"-p {server.Port} -k {directory} -c listen_addresses=127.0.0.1", "start"]);
        return server;
    }

    /// <summary>The connection string of a database on this server, created when missing.</summary>
    public async Task<string> DatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        return ConnectionString(name);
    }

    /// <summary>Stops the server, letting it finish what it is writing.</summary>
    public Task StopAsync() => RunAsync(_bin, "pg_ctl", ["-D", _data, "-m", "fast", "-w", "stop"]);

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ToString();

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
        : null;

    /// <summary>A port of 127.0.0.1 that nothing listens on now.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string bin, string tool, string[] arguments, bool asPostgres = true)
    {
        var start = asPostgres && IsRoot ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. arguments]) : new ProcessStartInfo(Path.Combine(bin, tool), arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // Out of the way of the postgres user, who may not read the caller's working directory.
        start.WorkingDirectory = "/";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new ClusterSetupException($"{tool} failed ({process.ExitCode}): {(await output + await errors).Trim()}");
        }
    }
}

/// <summary>The cluster cannot be set up on this machine (no PostgreSQL binaries, a folder it cannot use): said in one sentence.</summary>
internal sealed class ClusterSetupException(string message) : Exception(message);
