using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace TokenPay.Storage;

/// <summary>
/// SQLite, the embedded default. WAL journal with SQLite's default FULL synchronous setting: a write returns
/// once it is on disk. SQLite has one writer at a time, so this process's writes take savepoint turns on one
/// connection and are committed in batches (<see cref="GroupCommitWriter"/>); BEGIN IMMEDIATE still orders
/// writers of other processes sharing the file. Reads use pooled connections and see only committed data. Every
/// connection here stays open with its compiled statements (<see cref="CompiledConnection"/>).
/// </summary>
public sealed class SqliteDatabase(string connectionString, Schema schema, string section) : RelationalDatabase(schema)
{
    private const int UniqueViolation = 2067;

    private readonly string _connectionString = Unpooled(connectionString);

    // Reads run synchronously inside Microsoft.Data.Sqlite: about as many at once as there are busy threads.
    private readonly CompiledConnectionPool _reads = new(Unpooled(connectionString), 4 * Environment.ProcessorCount + 4);

    // One writer connection, made on first use (after migration, which writes on its own connection).
    private GroupCommitWriter? _writer;

    public override Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => _reads.OpenAsync(cancellationToken);

    public override async Task<IWriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await (_writer ??= new GroupCommitWriter(_connectionString)).BeginAsync();
    }

    public override async Task MigrateAsync(Schema schema, CancellationToken cancellationToken)
    {
        DbConnection connection;
        try
        {
            connection = await OpenAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            var file = new SqliteConnectionStringBuilder(_connectionString).DataSource;
            throw new StorageUnavailableException($"The SQLite database {Path.GetFullPath(file)} cannot be opened: {ex.Message.TrimEnd('.')}. Check {section}:ConnectionString and that its folder exists and is writable.", ex);
        }

        await using var owned = connection;
        await connection.ExecuteAsync(new CommandDefinition(
            "PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));
        await ApplyMigrationsAsync(connection, schema, schema.Sqlite, cancellationToken);
    }

    // The connections are kept open here, with their statements, so SQLite's own pool is not used.
    private static string Unpooled(string connectionString) => new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();

    // The error code says "unique"; only the message says which columns.
    public override bool IsUniqueViolation(DbException exception, string table, string column) =>
        exception is SqliteException { SqliteExtendedErrorCode: UniqueViolation } && exception.Message.EndsWith($" {table}.{column}'.", StringComparison.Ordinal);

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

        _reads.Dispose();

        await base.DisposeAsync();
    }
}
