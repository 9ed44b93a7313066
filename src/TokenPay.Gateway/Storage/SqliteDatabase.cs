using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// SQLite, the embedded default. WAL journal with SQLite's default FULL synchronous setting: a write returns
/// once it is on disk. SQLite has one writer at a time, so this process's writes take savepoint turns on one
/// connection and are committed in batches (<see cref="GroupCommitWriter"/>); BEGIN IMMEDIATE still orders
/// writers of other processes sharing the file. Reads use pooled connections and see only committed data.
/// </summary>
internal sealed class SqliteDatabase(string connectionString) : GatewayDatabase
{
    private const int UniqueViolation = 2067;

    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true }.ToString();

    // One writer connection, made on first use (after migration, which writes on its own connection).
    private GroupCommitWriter? _writer;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public override async Task<IWriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await (_writer ??= new GroupCommitWriter(_connectionString)).BeginAsync();
    }

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var setup = CreateCommand(connection, null, "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);"))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        await ApplyMigrationsAsync(connection, SqliteMigrations.All, cancellationToken);
    }

    // SQLite names the index only in the message.
    public override bool IsTradeTokenTaken(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: UniqueViolation } && exception.Message.Contains("orders.trade_token", StringComparison.Ordinal);

    public override string Greatest(string a, string b) => $"MAX({a}, {b})";

    // One writer at a time: nothing to skip or lock.
    public override string SkipLockedRows => "";

    public override string LockRowShared => "";

    public override async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
