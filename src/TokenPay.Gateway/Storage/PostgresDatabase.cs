using System.Data.Common;
using Npgsql;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// PostgreSQL, for several gateway nodes on one server. Each write is its own transaction on a pooled
/// connection (the server orders concurrent writers itself); commits are durable with the server's default
/// <c>synchronous_commit = on</c>. Migrations take an advisory lock, so nodes starting together apply each once.
/// </summary>
internal sealed class PostgresDatabase(string connectionString) : GatewayDatabase
{
    // Any fixed number: the lock that serializes migrations across nodes.
    private const long MigrationLock = 0x546F6B656E506179;

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

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

    public override async Task MigrateAsync(CancellationToken cancellationToken)
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
            throw new StorageUnavailableException($"PostgreSQL at {where.Host}:{where.Port}, database {where.Database}, user {where.Username}, cannot be used: {ex.Message.TrimEnd('.')}. Check Gateway:Storage:ConnectionString and that the server is running.", ex);
        }

        await using var owned = connection;
        await using (var setup = CreateCommand(connection, null, "SELECT pg_advisory_lock(@lock); CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);"))
        {
            setup.Param("@lock", MigrationLock);
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await ApplyMigrationsAsync(connection, PostgresMigrations.All, cancellationToken);
        }
        finally
        {
            await using var unlock = CreateCommand(connection, null, "SELECT pg_advisory_unlock(@lock);");
            unlock.Param("@lock", MigrationLock);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public override bool IsTradeTokenTaken(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "orders_trade_token_key" };

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
        private readonly List<DbCommand> _commands = [];
        private bool _ended;

        public DbConnection Connection => connection;

        public DbTransaction Transaction => transaction;

        public DbCommand Command(string sql)
        {
            var command = CreateCommand(connection, transaction, sql);
            _commands.Add(command);
            return command;
        }

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
            foreach (var command in _commands)
            {
                await command.DisposeAsync();
            }

            // Disposing rolls back a transaction that was neither committed nor rolled back.
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
