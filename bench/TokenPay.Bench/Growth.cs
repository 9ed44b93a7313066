using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace TokenPay.Bench;

/// <summary>
/// Grows a stopped gateway's database (SQLite or PostgreSQL) to a given size, for the growth run: copies of
/// one of its finished MIT orders (each with its own outTradeNo and trade token, so every unique index takes
/// them all) and of one of its tokens (each for its own user). Columns are read from the table, so new ones
/// are copied too.
/// </summary>
internal static class Growth
{
    public const string OrderPrefix = "grow_";

    /// <param name="postgres">The PostgreSQL connection string, or null for the SQLite file at <paramref name="sqlitePath"/>.</param>
    public static async Task SeedAsync(string? postgres, string sqlitePath, int orders, int tokens)
    {
        await using DbConnection connection = postgres is null ? new SqliteConnection($"Data Source={sqlitePath};Pooling=False") : new Npgsql.NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var engine = postgres is null ? Engine.Sqlite : Engine.Postgres;
        var orderTemplate = await connection.ExecuteScalarAsync<long>("SELECT id FROM orders WHERE status = 'SUCCESS' AND merchant_initiated = 1 ORDER BY id LIMIT 1;", transaction: transaction);
        await CopyAsync(connection, transaction, engine, "orders", orderTemplate, orders, new()
        {
            ["trade_token"] = $"'TGROW' || {engine.Padded}",
            ["out_trade_no"] = $"'{OrderPrefix}' || n",
            ["out_trade_no_key"] = $"'{OrderPrefix.ToUpperInvariant()}' || n",
            ["cashier_id"] = "NULL",
        });
        var tokenTemplate = await connection.ExecuteScalarAsync<long>("SELECT id FROM payment_tokens WHERE status = 'Activated' ORDER BY id LIMIT 1;", transaction: transaction);
        await CopyAsync(connection, transaction, engine, "payment_tokens", tokenTemplate, tokens, new()
        {
            ["payment_token_id"] = $"'PMTOKGROW' || {engine.Padded}",
            ["user_id"] = "'grow_user_' || n",
        });
        await transaction.CommitAsync();
        if (engine == Engine.Postgres)
        {
            // Grown over months, autovacuum would have kept the planner's statistics; grown in seconds, they are refreshed here.
            await connection.ExecuteAsync("ANALYZE orders; ANALYZE payment_tokens;");
        }
    }

    // INSERT ... SELECT over a counter n = 1..count: the engine writes the rows without a round trip each.
    private static async Task CopyAsync(DbConnection connection, DbTransaction transaction, Engine engine, string table, long templateId, int count, Dictionary<string, string> generated)
    {
        var columns = (await connection.QueryAsync<string>(engine.ColumnsOf, new { table }, transaction)).Where(c => c != "id").ToList();
        var values = columns.Select(c => generated.TryGetValue(c, out var expression) ? expression : $"t.{c}");
        await connection.ExecuteAsync($"""
            {engine.CounterPrefix}
            INSERT INTO {table} ({string.Join(", ", columns)})
            SELECT {string.Join(", ", values)} FROM {engine.Counter}, {table} t WHERE t.id = @templateId;
            """, new { count, templateId }, transaction, commandTimeout: 600);
    }

    private sealed record Engine(string ColumnsOf, string CounterPrefix, string Counter, string Padded)
    {
        public static readonly Engine Sqlite = new(
            "SELECT name FROM pragma_table_info(@table);",
            "WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < @count)",
            "counter",
            "printf('%012d', n)");

        public static readonly Engine Postgres = new(
            "SELECT column_name FROM information_schema.columns WHERE table_name = @table AND table_schema = current_schema() ORDER BY ordinal_position;",
            "",
            "generate_series(1, @count) AS counter(n)",
            "lpad(n::text, 12, '0')");
    }
}
