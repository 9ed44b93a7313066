using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace TokenPay.Storage;

/// <summary>
/// An open SQLite connection that compiles each SQL text once. Microsoft.Data.Sqlite keeps a compiled statement
/// only for the life of one <see cref="SqliteCommand"/>, and Dapper makes a command per call, so every call used
/// to compile its SQL again: about 45 of the 55 µs a one-row lookup took. Here each text keeps its command, and
/// Dapper's commands (<see cref="ReusedCommand"/>) borrow it. One caller at a time uses a connection.
/// </summary>
internal sealed class CompiledConnection : IDisposable
{
    // The stores' SQL is a fixed set of texts; a bound keeps a text built per call from growing the cache.
    private const int MaxStatements = 256;

    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);

    private CompiledConnection(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    public static async Task<CompiledConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return new CompiledConnection(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The compiled command for <paramref name="sql"/>, taken out of the cache until it is returned.</summary>
    public SqliteCommand Rent(string sql)
    {
        if (_statements.Remove(sql, out var command))
        {
            return command;
        }

        command = Connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public void Return(SqliteCommand command)
    {
        command.Parameters.Clear();
        command.Transaction = null;
        if (_statements.Count >= MaxStatements || !_statements.TryAdd(command.CommandText, command))
        {
            command.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var command in _statements.Values)
        {
            command.Dispose();
        }

        _statements.Clear();
        Connection.Dispose();
    }
}

/// <summary>Open read connections kept with their compiled statements, instead of closing them into SQLite's pool.</summary>
internal sealed class CompiledConnectionPool(string connectionString, int maxIdle) : IDisposable
{
    private readonly ConcurrentBag<CompiledConnection> _idle = [];
    private int _idleCount;
    private bool _disposed;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_idle.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            return new StatementReusingConnection(idle, Return);
        }

        return new StatementReusingConnection(await CompiledConnection.OpenAsync(connectionString, cancellationToken), Return);
    }

    private void Return(CompiledConnection connection)
    {
        if (Volatile.Read(ref _disposed) || Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            connection.Dispose();
            return;
        }

        _idle.Add(connection);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
        }
    }
}

/// <summary>
/// The <see cref="DbConnection"/> Dapper sees over a <see cref="CompiledConnection"/>: its commands reuse the
/// compiled statements. Closing hands the connection back to <c>release</c> (the read pool), or, without one,
/// leaves it to its owner (the group-commit writer).
/// </summary>
internal sealed class StatementReusingConnection(CompiledConnection compiled, Action<CompiledConnection>? release) : DbConnection
{
    private bool _released;

    internal CompiledConnection Compiled => compiled;

    [AllowNull]
    public override string ConnectionString
    {
        get => compiled.Connection.ConnectionString;
        set => throw new NotSupportedException("A compiled connection keeps the connection string it was opened with.");
    }

    public override string Database => compiled.Connection.Database;

    public override string DataSource => compiled.Connection.DataSource;

    public override string ServerVersion => compiled.Connection.ServerVersion;

    public override ConnectionState State => _released ? ConnectionState.Closed : compiled.Connection.State;

    public override void ChangeDatabase(string databaseName) => compiled.Connection.ChangeDatabase(databaseName);

    public override void Open()
    {
        // Opened when made; Dapper only opens a closed connection.
    }

    public override void Close()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        release?.Invoke(compiled);
    }

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => compiled.Connection.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new ReusedCommand(compiled);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// A command that borrows the compiled statement of its text from the connection, and gives it back (its
/// parameters cleared) when disposed. Dapper sets the text before adding parameters.
/// </summary>
internal sealed class ReusedCommand(CompiledConnection compiled) : DbCommand
{
    private SqliteCommand? _statement;
    private SqliteTransaction? _transaction;
    private int? _timeout;
    private CommandType _type = CommandType.Text;

    [AllowNull]
    public override string CommandText
    {
        get => _statement?.CommandText ?? "";
        set
        {
            GiveBack();
            _statement = compiled.Rent(value ?? "");
            _statement.Transaction = _transaction;
            _statement.CommandType = _type;
            if (_timeout is { } timeout)
            {
                _statement.CommandTimeout = timeout;
            }
        }
    }

    public override int CommandTimeout
    {
        get => _statement?.CommandTimeout ?? _timeout ?? 30;
        set
        {
            _timeout = value;
            _statement?.CommandTimeout = value;
        }
    }

    public override CommandType CommandType
    {
        get => _type;
        set
        {
            _type = value;
            _statement?.CommandType = value;
        }
    }

    public override bool DesignTimeVisible { get; set; }

    public override UpdateRowSource UpdatedRowSource { get; set; }

    protected override DbConnection? DbConnection
    {
        get => compiled.Connection;
        set => throw new NotSupportedException("A reused command stays on its connection.");
    }

    protected override DbParameterCollection DbParameterCollection => Statement.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => _transaction;
        set
        {
            _transaction = (SqliteTransaction?)value;
            _statement?.Transaction = _transaction;
        }
    }

    private SqliteCommand Statement => _statement ?? throw new InvalidOperationException("Set CommandText before using the command.");

    /// <summary>
    /// The statement, its parameters named as the SQL names them. Dapper gives names without their prefix, and
    /// Microsoft.Data.Sqlite then looks each one up four times per execution (as given, then with @, $ and :,
    /// to refuse an ambiguous name): an MIT binds about 80 parameters. The stores' SQL names them all with @.
    /// </summary>
    private SqliteCommand Bound
    {
        get
        {
            var statement = Statement;
            var parameters = statement.Parameters;
            for (var i = 0; i < parameters.Count; i++)
            {
                if (parameters[i].ParameterName is [not ('@' or '$' or ':'), ..] name)
                {
                    parameters[i].ParameterName = PrefixedNames.GetOrAdd(name, static unprefixed => "@" + unprefixed);
                }
            }

            return statement;
        }
    }

    // The stores' parameter names: a fixed set (a list Dapper expands adds one name per element).
    private static readonly ConcurrentDictionary<string, string> PrefixedNames = new(StringComparer.Ordinal);

    public override void Cancel() => _statement?.Cancel();

    public override int ExecuteNonQuery() => Bound.ExecuteNonQuery();

    public override object? ExecuteScalar() => Bound.ExecuteScalar();

    public override void Prepare() => Statement.Prepare();

    public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) => Bound.ExecuteNonQueryAsync(cancellationToken);

    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => Bound.ExecuteScalarAsync(cancellationToken);

    protected override DbParameter CreateDbParameter() => new SqliteParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Bound.ExecuteReader(behavior);

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        await Bound.ExecuteReaderAsync(behavior, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            GiveBack();
        }

        base.Dispose(disposing);
    }

    private void GiveBack()
    {
        if (_statement is { } statement)
        {
            _statement = null;
            compiled.Return(statement);
        }
    }
}
