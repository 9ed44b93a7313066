using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// PCI canaries: orders are made with distinctive PANs and CVVs through every path (success, decline,
/// bind, 3DS, MIT), then the database file, its WAL and every captured log line (all levels) are scanned.
/// </summary>
public sealed class CardDataScanTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    // Scans SQLite's own files; on PostgreSQL the same columns are checked by the behaviour suite's queries.
    [SqliteFact]
    public async Task CanaryPansAndCvvs_NeverInDatabaseWalOrLogs()
    {
        // AMEX canaries carry 4-digit CVVs, distinctive enough to search for as whole numbers.
        string[] pans = [WithLuhn("37999123456781"), WithLuhn("34888765432109"), WithLuhn("37555000111222"), WithLuhn("34666999888777")];
        string[] cvvs = ["8264", "7193", "6047", "5318"];
        var subjects = new[] { "Canary pay", "FAILED", "3DS", "Canary bind" };
        var user = GatewayFixture.NewId("canary");

        // SQLite removes the WAL when its last connection closes; hold one so the WAL is there to scan.
        await using var holdWal = new SqliteConnection($"Data Source={_host.DatabasePath};Pooling=False");
        await holdWal.OpenAsync();
        for (var i = 0; i < pans.Length; i++)
        {
            var order = OrderRequests.Bind(GatewayFixture.NewId("can"), user, pans[i], cvv: cvvs[i], subject: subjects[i]);
            (await _host.Merchant.PostAsync("orderAndPay", order)).Code.ShouldBe(ResultCodes.ApplySuccess);
        }

        // Known test cards through the decline paths too, and an MIT on a saved canary card.
        await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("can"), user, "4000000000000127", cvv: "913"));
        var token = (await _host.Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenID").GetString()!;
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("can"), user, token))).DataString("status").ShouldBe(OrderStatuses.Success);
        // And a rejected request carrying a canary.
        var rejected = OrderRequests.Card(GatewayFixture.NewId("can"), user, pans[0], cvv: cvvs[0]);
        rejected["currency"] = "XYZ";
        (await _host.Merchant.PostAsync("orderAndPay", rejected)).Code.ShouldBe(ResultCodes.CurrencyInvalid);

        var files = Directory.GetFiles(Path.GetDirectoryName(_host.DatabasePath)!, "gateway.db*");
        files.ShouldContain(f => f.EndsWith("-wal", StringComparison.Ordinal), "the WAL must exist to be scanned");
        var raw = string.Concat(files.Select(f => Encoding.Latin1.GetString(ReadShared(f))));
        var cells = await AllTextCellsAsync();
        var logs = _host.Logs.All;
        logs.ShouldNotBeEmpty();

        foreach (var pan in pans.Append("4000000000000127"))
        {
            raw.ShouldNotContain(pan, customMessage: "full PAN in the database or WAL");
            logs.ShouldNotContain(pan, customMessage: "full PAN in the logs");
        }

        cells.ShouldContain(c => c == Cards.Mask(pans[0]), "masked PANs are what is kept");
        foreach (var cvv in cvvs)
        {
            var wholeNumber = new Regex($@"(?<![\w.]){cvv}(?![\w.])");
            cells.ShouldNotContain(c => wholeNumber.IsMatch(c), $"CVV {cvv} in a database cell");
            wholeNumber.IsMatch(logs).ShouldBeFalse($"CVV {cvv} in the logs");
        }

        cells.ShouldNotContain(c => c == "913", "a CVV stored as a value");
        (await _host.ScalarAsync("SELECT COUNT(*) FROM pragma_table_info('orders') WHERE name LIKE '%cvv%'")).ShouldBe(0);
        (await _host.ScalarAsync("SELECT COUNT(*) FROM pragma_table_info('vault_cards') WHERE name LIKE '%cvv%'")).ShouldBe(0);
    }

    private async Task<List<string>> AllTextCellsAsync()
    {
        var cells = new List<string>();
        await using var connection = new SqliteConnection($"Data Source={_host.DatabasePath};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new SqliteCommand("SELECT name FROM sqlite_master WHERE type = 'table'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await using var select = new SqliteCommand($"SELECT * FROM \"{table}\"", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    switch (reader.GetValue(i))
                    {
                        case string text: cells.Add(text); break;
                        case byte[] blob: cells.Add(Encoding.Latin1.GetString(blob)); break;
                    }
                }
            }
        }

        return cells;
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string WithLuhn(string body)
    {
        for (var check = 0; check <= 9; check++)
        {
            var candidate = body + check;
            if (Cards.IsValidPan(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("unreachable");
    }
}
