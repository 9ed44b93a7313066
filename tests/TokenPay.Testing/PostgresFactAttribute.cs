namespace TokenPay.Testing;

/// <summary>A test against the run's real PostgreSQL; skipped (with the reason) only outside CI when PostgreSQL is missing.</summary>
public sealed class PostgresFactAttribute : Xunit.FactAttribute
{
    public PostgresFactAttribute() => Skip = PostgresServer.SkipReason;
}
