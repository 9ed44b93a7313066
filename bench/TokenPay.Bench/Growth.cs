using Dapper;
using Microsoft.Data.Sqlite;

namespace TokenPay.Bench;

/// <summary>
/// Grows a stopped gateway's SQLite database to a given size, for the growth run: copies of one of its
/// finished MIT orders (each with its own outTradeNo and trade token, so every unique index takes them all)
/// and of one of its tokens (each for its own user). Columns are read from the table, so new ones are copied too.
/// </summary>
internal static class Growth
{
    public const string OrderPrefix = "grow_";

    public static async Task SeedAsync(string databasePath, int orders, int tokens)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var orderTemplate = await connection.ExecuteScalarAsync<long>("SELECT id FROM orders WHERE status = 'SUCCESS' AND merchant_initiated = 1 ORDER BY id LIMIT 1;", transaction: transaction);
        await CopyAsync(connection, transaction, "orders", orderTemplate, orders, new()
        {
            ["trade_token"] = "'TGROW' || printf('%012d', n)",
            ["out_trade_no"] = $"'{OrderPrefix}' || n",
            ["out_trade_no_key"] = $"'{OrderPrefix.ToUpperInvariant()}' || n",
            ["cashier_id"] = "NULL",
        });
        var tokenTemplate = await connection.ExecuteScalarAsync<long>("SELECT id FROM payment_tokens WHERE status = 'Activated' ORDER BY id LIMIT 1;", transaction: transaction);
        await CopyAsync(connection, transaction, "payment_tokens", tokenTemplate, tokens, new()
        {
            ["payment_token_id"] = "'PMTOKGROW' || printf('%012d', n)",
            ["user_id"] = "'grow_user_' || n",
        });
        await transaction.CommitAsync();
    }

    // INSERT ... SELECT over a counter 1..count: SQLite writes the rows without a round trip each.
    private static async Task CopyAsync(SqliteConnection connection, System.Data.Common.DbTransaction transaction, string table, long templateId, int count, Dictionary<string, string> generated)
    {
        var columns = (await connection.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}') WHERE name <> 'id';", transaction: transaction)).ToList();
        var values = columns.Select(c => generated.TryGetValue(c, out var expression) ? expression : $"t.{c}");
        await connection.ExecuteAsync($"""
            WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < @count)
            INSERT INTO {table} ({string.Join(", ", columns)})
            SELECT {string.Join(", ", values)} FROM counter, {table} t WHERE t.id = @templateId;
            """, new { count, templateId }, transaction, commandTimeout: 600);
    }
}
