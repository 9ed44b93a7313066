using System.Globalization;

namespace TokenPay.Merchant.Payments;

/// <summary>What a batch did: every charge lands in exactly one of the counts.</summary>
public sealed record BatchSummary(int Total, int Succeeded, int Declined, int Refused, int Unknown, IReadOnlyDictionary<string, decimal> ChargedByCurrency, IReadOnlyDictionary<string, int> DeclineCodes);

/// <summary>Runs many charges with bounded parallelism; each is idempotent by its chargeId, so a batch can be run again safely.</summary>
internal sealed class ChargeBatch(ChargeService charges)
{
    public async Task<BatchSummary> RunAsync(IReadOnlyList<ChargeRequest> requests, int parallelism, Action? onEach, CancellationToken cancellationToken)
    {
        var results = new ChargeResult[requests.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            results[i] = await charges.ChargeAsync(requests[i], ct);
            onEach?.Invoke();
        });

        return new BatchSummary(
            results.Length,
            results.Count(r => r.Status == "SUCCESS"),
            results.Count(r => r.Status is "FAILED" or "CLOSED"),
            results.Count(r => r.Status == "REFUSED"),
            results.Count(r => r.Status is "CREATED" or "PENDING"),
            results.Where(r => r.Succeeded).GroupBy(r => r.Currency).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount)),
            results.Where(r => !r.Succeeded && r.ResultCode is not null).GroupBy(r => r.ResultCode!).ToDictionary(g => g.Key, g => g.Count()));
    }

    /// <summary>Reads <c>userId,amount,currency,reason,chargeId</c> lines (a header line is skipped).</summary>
    public static IReadOnlyList<ChargeRequest> ReadCsv(string path) =>
        File.ReadLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("userId", StringComparison.OrdinalIgnoreCase))
            .Select((line, number) =>
            {
                var f = line.Split(',');
                return f.Length == 5 && decimal.TryParse(f[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)
                    ? new ChargeRequest(f[0].Trim(), amount, f[2].Trim(), f[3].Trim(), f[4].Trim())
                    : throw new FormatException($"{path} line {number + 1}: expected userId,amount,currency,reason,chargeId.");
            })
            .ToList();
}
