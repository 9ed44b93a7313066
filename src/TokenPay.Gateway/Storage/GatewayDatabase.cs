using System.Data;
using System.Data.Common;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// The engine under the relational store: how connections and write transactions are made, how the schema
/// is migrated, and the little SQL that differs between engines. Everything else is shared SQL.
/// </summary>
internal abstract class GatewayDatabase : IAsyncDisposable
{
    /// <summary>An open connection for reads; disposing returns it to the pool.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A write transaction: commit or roll back exactly once; disposing without either rolls back.</summary>
    public abstract Task<IWriteScope> BeginWriteAsync(CancellationToken cancellationToken);

    /// <summary>Applies the engine's versioned migrations that are not applied yet; safe when several nodes start at once.</summary>
    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>True when <paramref name="exception"/> is a unique violation of the orders' trade token.</summary>
    public abstract bool IsTradeTokenTaken(DbException exception);

    /// <summary>The larger of two values (<c>MAX(a, b)</c> in SQLite, <c>GREATEST(a, b)</c> in PostgreSQL).</summary>
    public abstract string Greatest(string a, string b);

    /// <summary>What a claim's row selection appends so concurrent claimers skip rows another one is taking.</summary>
    public abstract string SkipLockedRows { get; }

    /// <summary>What the order insert's token check appends so a concurrent removal waits for the insert.</summary>
    public abstract string LockRowShared { get; }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The database of the configured engine (<c>Gateway:Storage:Provider</c>).</summary>
    public static GatewayDatabase For(Hosting.StorageOptions storage) =>
        string.Equals(storage.Provider, Hosting.StorageProviders.Postgres, StringComparison.OrdinalIgnoreCase) ? new PostgresDatabase(storage.ConnectionString)
        : string.Equals(storage.Provider, Hosting.StorageProviders.Sqlite, StringComparison.OrdinalIgnoreCase) ? new SqliteDatabase(storage.ConnectionString)
        : throw new InvalidOperationException($"Gateway:Storage:Provider must be {Hosting.StorageProviders.Sqlite} or {Hosting.StorageProviders.Postgres}.");

    /// <summary>Runs versioned scripts in order, each in its own transaction with its bookkeeping row.</summary>
    protected static async Task ApplyMigrationsAsync(DbConnection connection, IReadOnlyList<(int Version, string Sql)> migrations, CancellationToken cancellationToken)
    {
        foreach (var (version, sql) in migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

            await using (var check = CreateCommand(connection, transaction, "SELECT 1 FROM schema_migrations WHERE version = @v;"))
            {
                check.Param("@v", version);
                if (await check.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    continue;
                }
            }

            await using (var apply = CreateCommand(connection, transaction, sql))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = CreateCommand(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at);"))
            {
                record.Param("@v", version);
                record.Param("@at", TimeProvider.System.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>A command on a connection (and transaction), for every engine.</summary>
    internal static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }
}

/// <summary>The database cannot be reached or opened at start; the message names where, never a password.</summary>
internal sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>One write transaction on a <see cref="GatewayDatabase"/>.</summary>
internal interface IWriteScope : IAsyncDisposable
{
    DbConnection Connection { get; }

    DbTransaction Transaction { get; }

    /// <summary>A command in this transaction, disposed when the transaction ends.</summary>
    DbCommand Command(string sql);

    /// <summary>Keeps the work; returns once it is durably committed.</summary>
    Task CommitAsync();

    Task RollbackAsync();
}

/// <summary>Parameters that mean the same on every engine.</summary>
internal static class DbCommandExtensions
{
    /// <summary>
    /// Adds a parameter typed by <typeparamref name="T"/>, so a null still has a type (PostgreSQL needs one).
    /// Booleans are stored as 0/1 integers on every engine.
    /// </summary>
    public static void Param<T>(this DbCommand command, string name, T value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        parameter.DbType = type == typeof(string) ? DbType.String
            : type == typeof(long) ? DbType.Int64
            : type == typeof(int) ? DbType.Int32
            : type == typeof(bool) ? DbType.Int32
            : type == typeof(byte[]) ? DbType.Binary
            : throw new ArgumentException($"No database type for {type.Name}.", nameof(value));
        parameter.Value = value switch
        {
            null => DBNull.Value,
            bool flag => flag ? 1 : 0,
            _ => value,
        };
        command.Parameters.Add(parameter);
    }
}
