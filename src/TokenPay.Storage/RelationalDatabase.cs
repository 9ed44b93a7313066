using System.Data;
using System.Data.Common;
using Dapper;

namespace TokenPay.Storage;

/// <summary>
/// The engine under a service's stores: how connections and write transactions are made, how the schema is
/// migrated, and the little SQL that differs between engines. The stores' SQL is shared; they run it with
/// Dapper, which binds parameters by name and maps columns to properties by name.
/// </summary>
public abstract class RelationalDatabase : IAsyncDisposable
{
    protected RelationalDatabase(Schema schema)
    {
        Schema = schema;
        DapperConventions.Apply();
    }

    /// <summary>The versioned migrations this database is kept at.</summary>
    public Schema Schema { get; }

    /// <summary>An open connection for reads; disposing returns it to the pool.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A write transaction: commit or roll back exactly once; disposing without either rolls back.</summary>
    public abstract Task<IWriteScope> BeginWriteAsync(CancellationToken cancellationToken);

    /// <summary>Applies the schema's migrations that are not applied yet; safe when several nodes start at once.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(Schema, cancellationToken);

    /// <summary>
    /// Applies another schema's migrations to this database: a component with tables of its own (the acquirer
    /// simulator) keeps its versions in its own bookkeeping table next to the service's.
    /// </summary>
    public abstract Task MigrateAsync(Schema schema, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="exception"/> is a unique violation of <c>UNIQUE</c> column <paramref name="column"/> of <paramref name="table"/>.</summary>
    public abstract bool IsUniqueViolation(DbException exception, string table, string column);

    /// <summary>The larger of two values (<c>MAX(a, b)</c> in SQLite, <c>GREATEST(a, b)</c> in PostgreSQL).</summary>
    public abstract string Greatest(string a, string b);

    /// <summary>What a claim's row selection appends so concurrent claimers skip rows another one is taking.</summary>
    public abstract string SkipLockedRows { get; }

    /// <summary>What a check inside a write appends so a concurrent writer of that row waits for this transaction.</summary>
    public abstract string LockRowShared { get; }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>The database of the configured engine; <paramref name="section"/> (e.g. <c>Gateway:Storage</c>) is named in errors.</summary>
    public static RelationalDatabase For(StorageOptions storage, Schema schema, string section)
    {
        try
        {
            return string.Equals(storage.Provider, StorageProviders.Postgres, StringComparison.OrdinalIgnoreCase) ? new PostgresDatabase(storage.ConnectionString, schema, section)
                : string.Equals(storage.Provider, StorageProviders.Sqlite, StringComparison.OrdinalIgnoreCase) ? new SqliteDatabase(storage.ConnectionString, schema, section)
                : throw new InvalidOperationException($"{section}:Provider must be {StorageProviders.Sqlite} or {StorageProviders.Postgres}.");
        }
        catch (ArgumentException ex)
        {
            // The drivers refuse a malformed connection string with an ArgumentException naming the keyword; its
            // "(Parameter ...)" tail is left out, and the value itself is never repeated (it may hold a password).
            var reason = ex.Message.Split(" (Parameter", 2)[0].TrimEnd('.');
            throw new StorageUnavailableException($"{section}:ConnectionString is not a {storage.Provider} connection string: {reason}. Check {section}:Provider and {section}:ConnectionString.", ex);
        }
    }

    /// <summary>The configured database with its migrations applied; nothing is left open when that fails.</summary>
    public static async Task<RelationalDatabase> OpenMigratedAsync(StorageOptions storage, Schema schema, string section, CancellationToken cancellationToken)
    {
        var database = For(storage, schema, section);
        try
        {
            await database.MigrateAsync(cancellationToken);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>One statement in a write transaction of its own; returns the rows it changed once they are durable.</summary>
    public async Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var changed = await write.ExecuteAsync(sql, parameters, cancellationToken);
        await write.CommitAsync();
        return changed;
    }

    /// <summary>Work in a write transaction of its own, committed (durably) when it returns.</summary>
    public async Task<T> WriteAsync<T>(Func<IWriteScope, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var result = await work(write);
        await write.CommitAsync();
        return result;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<T>(Sql.Command(sql, parameters, null, cancellationToken))).AsList();
    }

    /// <summary>Rows of two joined records (<paramref name="splitOn"/> is the second one's first column), combined by <paramref name="map"/>.</summary>
    public async Task<IReadOnlyList<TResult>> QueryAsync<T1, T2, TResult>(string sql, Func<T1, T2, TResult> map, string splitOn, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync(Sql.Command(sql, parameters, null, cancellationToken), map, splitOn)).AsList();
    }

    public async Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<T>(Sql.Command(sql, parameters, null, cancellationToken));
    }

    /// <summary>Runs versioned scripts in order, each in its own transaction with its bookkeeping row.</summary>
    protected static async Task ApplyMigrationsAsync(DbConnection connection, Schema schema, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(Sql.Command($"CREATE TABLE IF NOT EXISTS {schema.MigrationsTable} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);", null, null, cancellationToken));
        foreach (var migration in migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            var applied = await connection.ExecuteScalarAsync<int?>(Sql.Command($"SELECT 1 FROM {schema.MigrationsTable} WHERE version = @Version;", migration, transaction, cancellationToken));
            if (applied is not null)
            {
                continue;
            }

            await connection.ExecuteAsync(Sql.Command(migration.Sql, null, transaction, cancellationToken));
            await connection.ExecuteAsync(Sql.Command(
                $"INSERT INTO {schema.MigrationsTable} (version, applied_at) VALUES (@Version, @AppliedAt);",
                new { migration.Version, AppliedAt = TimeProvider.System.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
                transaction,
                cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
    }
}

/// <summary>A service's schema: the same versions for each engine, in each engine's types.</summary>
/// <param name="LockId">The PostgreSQL advisory lock that serializes this schema's migrations across nodes.</param>
/// <param name="MigrationsTable">Where the applied versions are kept (one table per schema sharing a database).</param>
public sealed record Schema(string Name, IReadOnlyList<Migration> Sqlite, IReadOnlyList<Migration> Postgres, long LockId, string MigrationsTable = "schema_migrations")
{
    /// <summary>
    /// A schema written once for both engines: <paramref name="versions"/> writes it in the column types it is given,
    /// the only thing SQLite and PostgreSQL differ in (<see cref="EngineTypes"/>).
    /// </summary>
    public static Schema ForBothEngines(string name, Func<EngineTypes, IReadOnlyList<Migration>> versions, long lockId, string migrationsTable = "schema_migrations") =>
        new(name, versions(EngineTypes.Sqlite), versions(EngineTypes.Postgres), lockId, migrationsTable);
}

/// <summary>One versioned migration script. Append new versions; never edit an applied one.</summary>
public sealed record Migration(int Version, string Sql);

/// <summary>The database cannot be reached or opened at start; the message names where, never a password.</summary>
public sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>One write transaction on a <see cref="RelationalDatabase"/>.</summary>
public interface IWriteScope : IAsyncDisposable
{
    DbConnection Connection { get; }

    DbTransaction Transaction { get; }

    /// <summary>Keeps the work; returns once it is durably committed.</summary>
    Task CommitAsync();

    Task RollbackAsync();
}

/// <summary>Dapper calls inside a write transaction.</summary>
public static class WriteScopeExtensions
{
    public static Task<int> ExecuteAsync(this IWriteScope write, string sql, object? parameters, CancellationToken cancellationToken) =>
        write.Connection.ExecuteAsync(Sql.Command(sql, parameters, write.Transaction, cancellationToken));

    public static Task<T?> ScalarAsync<T>(this IWriteScope write, string sql, object? parameters, CancellationToken cancellationToken) =>
        write.Connection.ExecuteScalarAsync<T>(Sql.Command(sql, parameters, write.Transaction, cancellationToken));

    public static Task<T?> QueryFirstOrDefaultAsync<T>(this IWriteScope write, string sql, object? parameters, CancellationToken cancellationToken) =>
        write.Connection.QueryFirstOrDefaultAsync<T>(Sql.Command(sql, parameters, write.Transaction, cancellationToken));

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this IWriteScope write, string sql, object? parameters, CancellationToken cancellationToken) =>
        (await write.Connection.QueryAsync<T>(Sql.Command(sql, parameters, write.Transaction, cancellationToken))).AsList();

    public static async Task<IReadOnlyList<TResult>> QueryAsync<T1, T2, TResult>(this IWriteScope write, string sql, Func<T1, T2, TResult> map, string splitOn, object? parameters, CancellationToken cancellationToken) =>
        (await write.Connection.QueryAsync(Sql.Command(sql, parameters, write.Transaction, cancellationToken), map, splitOn)).AsList();
}

internal static class Sql
{
    public static CommandDefinition Command(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);
}

public static class RowLists
{
    /// <summary>The first row, or null when there is none.</summary>
    public static T? FirstOrNone<T>(this IReadOnlyList<T> rows)
        where T : class => rows.Count > 0 ? rows[0] : null;
}
