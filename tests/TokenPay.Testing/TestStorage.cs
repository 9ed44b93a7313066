using System.Reflection;
using Dapper;
using TokenPay.Storage;
using Xunit.Sdk;

namespace TokenPay.Testing;

public enum Engine
{
    Sqlite,
    Postgres,
}

/// <summary>Theory data: run the storage contract on SQLite.</summary>
public sealed class OnSqliteAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Engine.Sqlite]];
}

/// <summary>Theory data: run the storage contract on the run's real PostgreSQL (skipped with the reason only outside CI when it is missing).</summary>
public sealed class OnPostgresAttribute : DataAttribute
{
    public OnPostgresAttribute() => Skip = PostgresServer.SkipReason;

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Engine.Postgres]];
}

/// <summary>
/// A fresh, migrated database of a service's schema on one engine: a temporary SQLite file, or a new
/// database on the run's PostgreSQL. Storage contracts build the stores they test over it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly StorageOptions _options;
    private readonly string? _directory;

    private TestDatabase(RelationalDatabase database, StorageOptions options, string? directory)
    {
        Database = database;
        _options = options;
        _directory = directory;
    }

    public RelationalDatabase Database { get; }

    public static async Task<TestDatabase> CreateAsync(Engine engine, Schema schema)
    {
        string? directory = null;
        StorageOptions options;
        if (engine == Engine.Postgres)
        {
            var server = await PostgresServer.GetAsync();
            options = new StorageOptions { Provider = StorageProviders.Postgres, ConnectionString = await server.CreateDatabaseAsync(schema.Name) };
        }
        else
        {
            directory = Directory.CreateTempSubdirectory("tokenpay-store-").FullName;
            options = new StorageOptions { Provider = StorageProviders.Sqlite, ConnectionString = $"Data Source={Path.Combine(directory, "store.db")}" };
        }

        return new TestDatabase(await RelationalDatabase.OpenMigratedAsync(options, schema, "Test:Storage", CancellationToken.None), options, directory);
    }

    /// <summary>Another handle on the same database, as a second node has (its own pool and, on SQLite, its own writer).</summary>
    public RelationalDatabase OpenSecondNode() => RelationalDatabase.For(_options, Database.Schema, "Test:Storage");

    /// <summary>Rows in a table: what a contract checks was (not) written.</summary>
    public async Task<long> CountAsync(string table)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
