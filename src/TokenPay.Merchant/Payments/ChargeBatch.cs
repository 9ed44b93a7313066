using System.Globalization;
using CsvHelper;

namespace TokenPay.Merchant.Payments;

/// <summary>What a batch did: every charge lands in exactly one of the counts.</summary>
public sealed record BatchSummary(int Total, int Succeeded, int Declined, int Refused, int Unknown, IReadOnlyDictionary<string, decimal> ChargedByCurrency, IReadOnlyDictionary<string, int> DeclineCodes);

/// <summary>A batch's summary and each charge's result, in the order of the file.</summary>
public sealed record BatchRun(BatchSummary Summary, IReadOnlyList<ChargeResult> Results);

/// <summary>A charge read from line <paramref name="Line"/> of a batch file.</summary>
public sealed record BatchLine(int Line, ChargeRequest Request);

/// <summary>A line of a batch file that is not a charge, and why.</summary>
public sealed record BatchProblem(int Line, string Reason);

/// <summary>Runs many charges with bounded parallelism; each is idempotent by its chargeId, so a batch can be run again safely.</summary>
internal sealed class ChargeBatch(ChargeService charges)
{
    public const string Columns = "userId,amount,currency,reason,chargeId";

    public async Task<BatchRun> RunAsync(IReadOnlyList<ChargeRequest> requests, int parallelism, Action? onEach, CancellationToken cancellationToken)
    {
        var results = new ChargeResult[requests.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            results[i] = await charges.ChargeAsync(requests[i], ct);
            onEach?.Invoke();
        });

        var summary = new BatchSummary(
            results.Length,
            results.Count(r => r.Status == "SUCCESS"),
            results.Count(r => r.Status is "FAILED" or "CLOSED"),
            results.Count(r => r.Status == "REFUSED"),
            results.Count(r => r.Status is "CREATED" or "PENDING"),
            results.Where(r => r.Succeeded).GroupBy(r => r.Currency).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount)),
            results.Where(r => !r.Succeeded && r.ResultCode is not null).GroupBy(r => r.ResultCode!).ToDictionary(g => g.Key, g => g.Count()));
        return new BatchRun(summary, results);
    }

    /// <summary>
    /// Reads <c>userId,amount,currency,reason,chargeId</c> records (RFC 4180: quoted fields may hold commas,
    /// quotes and line breaks; an optional header line). Each record is checked as the API checks a charge;
    /// a bad one is reported with the line it starts on and the reason.
    /// </summary>
    public static (IReadOnlyList<BatchLine> Charges, IReadOnlyList<BatchProblem> Problems) ReadCsv(TextReader text)
    {
        var charges = new List<BatchLine>();
        var problems = new List<BatchProblem>();
        using var csv = CsvReader.Create(text, new CsvReaderOptions
        {
            HasHeader = false,
            TrackLineNumbers = true,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            MalformedData = CsvMalformedDataHandling.Throw,
            IncludeValuesInExceptions = false,
        }, leaveOpen: true);
        var first = true;
        while (true)
        {
            int line;
            string[] record;
            try
            {
                if (!csv.Read())
                {
                    break;
                }

                line = (int)csv.LineNumber;
                record = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i)).ToArray();
            }
            catch (CsvFormatException)
            {
                problems.Add(new((int)csv.LineNumber, "the line is not valid CSV (an unclosed or stray quote?)"));
                break;
            }

            var header = first && record.Length > 0 && record[0].Trim().Equals("userId", StringComparison.OrdinalIgnoreCase);
            first = false;
            if (header)
            {
                continue;
            }

            if (record.Length != 5)
            {
                problems.Add(new(line, $"expected 5 fields ({Columns}), found {record.Length}"));
                continue;
            }

            if (!decimal.TryParse(record[1].Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
            {
                problems.Add(new(line, $"amount '{record[1].Trim()}' is not a number such as 5.00"));
                continue;
            }

            var request = new ChargeRequest(record[0].Trim(), amount, record[2].Trim(), record[3].Trim(), record[4].Trim());
            if (ChargeService.Check(request) is { } problem)
            {
                problems.Add(new(line, problem.Message));
                continue;
            }

            charges.Add(new(line, request));
        }

        return (charges, problems);
    }
}
