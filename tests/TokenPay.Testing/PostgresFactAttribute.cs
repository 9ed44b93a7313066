namespace TokenPay.Testing;

/// <summary>A test against the run's real PostgreSQL; skipped (with the reason) only outside CI when PostgreSQL is missing.</summary>
public sealed class PostgresFactAttribute : Xunit.FactAttribute
{
    public PostgresFactAttribute() => Skip = PostgresServer.SkipReason;
}

/// <summary>A test of SQLite's own files; skipped when the run's hosts use PostgreSQL (TOKENPAY_TEST_STORAGE=postgres).</summary>
public sealed class SqliteFactAttribute : Xunit.FactAttribute
{
    public SqliteFactAttribute() => Skip = GatewayHost.OnPostgres ? "This test reads SQLite's database files; the run uses PostgreSQL." : null;
}
