using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using TokenPay.Protocol.Signing;

namespace TokenPay.Bench;

/// <summary>The machine's limits, measured in-process in the same run: RSA signs and verifies on all cores, durable commits.</summary>
internal static class Limits
{
    public static double SignsPerSecond(RSA key, TimeSpan duration) =>
        OnAllCores(duration, body => PayerMaxSignature.Sign(key, body));

    public static double VerifiesPerSecond(RSA key, TimeSpan duration)
    {
        var body = new byte[700];
        var signature = PayerMaxSignature.Sign(key, body);
        return OnAllCores(duration, b => PayerMaxSignature.Verify(key, b, signature));
    }

    /// <summary>Single-row transactions, one after another, on a fresh SQLite file with the gateway's settings (WAL, synchronous FULL).</summary>
    public static double SqliteCommitsPerSecond(string path, TimeSpan duration)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);";
            setup.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t (v) VALUES ('commit');";
        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            insert.ExecuteNonQuery();
            transaction.Commit();
            count++;
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    private static double OnAllCores(TimeSpan duration, Action<byte[]> work)
    {
        var total = 0L;
        var watch = Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, _ =>
        {
            var body = new byte[700];
            var count = 0L;
            while (watch.Elapsed < duration)
            {
                work(body);
                count++;
            }

            Interlocked.Add(ref total, count);
        });
        return total / watch.Elapsed.TotalSeconds;
    }
}
