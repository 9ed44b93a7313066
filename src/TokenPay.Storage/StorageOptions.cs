namespace TokenPay.Storage;

/// <summary>Where a service keeps its data (<c>Gateway:Storage</c>, <c>Merchant:Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary><c>Sqlite</c> (the embedded default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>The engine's connection string (SQLite: <c>Data Source=file</c>; PostgreSQL: Npgsql's <c>Host=...;Database=...</c>).</summary>
    public string ConnectionString { get; set; } = "";
}

public static class StorageProviders
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
}
