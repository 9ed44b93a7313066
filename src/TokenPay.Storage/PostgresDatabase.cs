using System.Data.Common;
using Dapper;
using Npgsql;

namespace TokenPay.Storage;

/// <summary>
/// PostgreSQL, for several gateway nodes on one server. Each write is its own transaction on a pooled
/// connection (the server orders concurrent writers itself); commits are durable with the server's default
/// <c>synchronous_commit = on</c>. Migrations take an advisory lock, so nodes starting together apply each once.
/// </summary>
public sealed class PostgresDatabase(string connectionString, Schema schema, string section) : RelationalDatabase(schema)
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(WithStatementPreparation(connectionString));

    /// <summary>
    /// The stores run a fixed set of SQL texts, so Npgsql prepares each on a connection once it has run twice
    /// there: the server then neither parses nor plans it again (it shares the machine's CPU in small setups).
    /// A connection string that says <c>Max Auto Prepare</c> itself (0 for a pooler in transaction mode) wins.
    /// </summary>
    private static string WithStatementPreparation(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // ShouldSerialize: the key was set in the string, under any of its spellings.
        if (!builder.ShouldSerialize("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken);

    public override async Task<IWriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken);
        try
        {
            return new WriteScope(connection, await connection.BeginTransactionAsync(cancellationToken));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override async Task MigrateAsync(Schema schema, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await _source.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            // Npgsql's messages name the host, never the password; the builder gives the database.
            var where = new NpgsqlConnectionStringBuilder(connectionString);
            throw new StorageUnavailableException($"PostgreSQL at {where.Host}:{where.Port}, database {where.Database}, user {where.Username}, cannot be used: {ex.Message.TrimEnd('.')}. Check {section}:ConnectionString and that the server is running.", ex);
        }

        await using var owned = connection;
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_lock(@LockId);",
            new { schema.LockId },
            cancellationToken: cancellationToken));

        try
        {
            await ApplyMigrationsAsync(connection, schema, schema.Postgres, cancellationToken);
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@LockId);", new { schema.LockId });
        }
    }

    // PostgreSQL names a column's UNIQUE constraint table_column_key.
    public override bool IsUniqueViolation(DbException exception, string table, string column) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } violation && violation.ConstraintName == $"{table}_{column}_key";

    public override string Greatest(string a, string b) => $"GREATEST({a}, {b})";

    public override string SkipLockedRows => "FOR UPDATE SKIP LOCKED";

    public override string LockRowShared => "FOR SHARE";

    public override async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await base.DisposeAsync();
    }

    private sealed class WriteScope(NpgsqlConnection connection, NpgsqlTransaction transaction) : IWriteScope
    {
        private bool _ended;

        public DbConnection Connection => connection;

        public DbTransaction Transaction => transaction;

        public async Task CommitAsync()
        {
            await transaction.CommitAsync();
            await EndAsync();
        }

        public async Task RollbackAsync()
        {
            await transaction.RollbackAsync();
            await EndAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_ended)
            {
                await EndAsync();
            }
        }

        private async Task EndAsync()
        {
            _ended = true;
            // Disposing rolls back a transaction that was neither committed nor rolled back.
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
