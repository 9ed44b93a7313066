using Microsoft.Data.Sqlite;

namespace TokenPay.Storage;

/// <summary>
/// Group commit for SQLite. Writers take turns on one dedicated connection; each turn is a savepoint in a
/// shared transaction, so one writer's rollback (a duplicate order number) undoes only its own work. When a
/// turn ends and no other writer is waiting (or the batch is full), the transaction commits: one durable
/// commit for the whole batch. A writer's commit returns only after that commit is on disk. The connection
/// keeps its compiled statements, the turn's own SAVEPOINT and RELEASE among them.
/// </summary>
/// <param name="connectionString">Without pooling: the writer keeps its connection for the store's lifetime.</param>
internal sealed class GroupCommitWriter(string connectionString) : IAsyncDisposable
{
    private const int MaxBatch = 128;

    private readonly SemaphoreSlim _turn = new(1, 1);
    private CompiledConnection? _connection;
    private StatementReusingConnection? _dapperConnection;
    private SqliteTransaction? _transaction;
    private TaskCompletionSource? _committed;
    private int _batched;
    private int _waiting;

    /// <summary>Waits for this writer's turn and opens its savepoint.</summary>
    public async Task<WriteScope> BeginAsync()
    {
        // Not cancellable: a writer counted as waiting must take its turn, or the batch would wait for it.
        Interlocked.Increment(ref _waiting);
        await _turn.WaitAsync();
        Interlocked.Decrement(ref _waiting);
        try
        {
            if (_connection is null)
            {
                _connection = await CompiledConnection.OpenAsync(connectionString, CancellationToken.None);
                _dapperConnection = new StatementReusingConnection(_connection, release: null);
            }

            if (_transaction is null)
            {
                _transaction = (SqliteTransaction)await _connection.Connection.BeginTransactionAsync();
                _committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await ExecuteAsync("SAVEPOINT turn;");
            return new WriteScope(this, _dapperConnection!, _transaction, _committed!);
        }
        catch
        {
            await EndTurnAsync(keep: false, savepointOpen: false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _turn.WaitAsync();
        try
        {
            if (_transaction is not null)
            {
                await _transaction.DisposeAsync();
                _transaction = null;
            }

            if (_connection is not null)
            {
                _connection.Dispose();
                _connection = null;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task EndTurnAsync(bool keep, bool savepointOpen)
    {
        try
        {
            if (savepointOpen)
            {
                await ExecuteAsync(keep ? "RELEASE turn;" : "ROLLBACK TO turn; RELEASE turn;");
            }

            // Rolled-back turns count too: they also wait for the batch's commit, so a batch stays bounded in turns.
            _batched++;

            if (_transaction is not null && (Volatile.Read(ref _waiting) == 0 || _batched >= MaxBatch))
            {
                await CommitBatchAsync();
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task CommitBatchAsync()
    {
        var transaction = _transaction!;
        var committed = _committed!;
        _transaction = null;
        _committed = null;
        _batched = 0;
        try
        {
            await transaction.CommitAsync();
            committed.SetResult();
        }
        catch (Exception ex)
        {
            committed.SetException(ex);
        }
        finally
        {
            await transaction.DisposeAsync();
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        var command = _connection!.Rent(sql);
        try
        {
            command.Transaction = _transaction;
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            _connection.Return(command);
        }
    }

    /// <summary>One writer's turn. Commit or roll back exactly once; disposing without either rolls back.</summary>
    internal sealed class WriteScope(GroupCommitWriter writer, StatementReusingConnection connection, SqliteTransaction transaction, TaskCompletionSource committed) : IWriteScope
    {
        private bool _ended;

        public System.Data.Common.DbConnection Connection => connection;

        public System.Data.Common.DbTransaction Transaction => transaction;

        /// <summary>Keeps this turn's work and returns once the batch holding it is durably committed.</summary>
        public async Task CommitAsync()
        {
            await EndAsync(keep: true);
            await committed.Task;
        }

        /// <summary>
        /// Undoes this turn's work only, and returns once the batch it was part of is durably committed: what
        /// this turn read (an order number already taken, a token already spent) may be another turn's write in
        /// the same batch, and an answer built on it must not reach anyone before that write is visible to every
        /// read. Throws when that batch failed to commit, as its writers' commits do.
        /// </summary>
        public async Task RollbackAsync()
        {
            await EndAsync(keep: false);
            await committed.Task;
        }

        private async Task EndAsync(bool keep)
        {
            _ended = true;
            await writer.EndTurnAsync(keep, savepointOpen: true);
        }

        // Disposed without an end: an exception is on its way out, and only this turn is undone.
        public async ValueTask DisposeAsync()
        {
            if (!_ended)
            {
                await EndAsync(keep: false);
            }
        }
    }
}
