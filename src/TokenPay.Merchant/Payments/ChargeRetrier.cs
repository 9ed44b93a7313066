using TokenPay.Hosting;
using TokenPay.Merchant.Storage;

namespace TokenPay.Merchant.Payments;

/// <summary>What one pass of due retries did.</summary>
public sealed record RetrySummary(int Sent, int Succeeded, int Declined);

/// <summary>
/// Sends the retries of declined charges when they fall due (<see cref="SmartRetries"/>), on the injected
/// clock every <c>Merchant:SmartRetries:PollInterval</c>. Each retry is claimed and recorded before it is
/// sent, so two passes (or two merchant nodes) never send the same retry twice.
/// </summary>
internal sealed class ChargeRetrier(RetryLedger retries, ChargeService charges, ILogger<ChargeRetrier> logger) : IScheduledWork
{
    private const int BatchSize = 200;

    public string Name => "merchant smart retries";

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        await retries.NextDueAsync(cancellationToken) is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;

    async Task<int> IScheduledWork.RunDueAsync(CancellationToken cancellationToken)
    {
        var summary = await RunDueAsync(cancellationToken);
        if (summary.Sent > 0)
        {
            logger.ChargeRetriesSent(summary.Sent, summary.Succeeded, summary.Declined);
        }

        return summary.Sent;
    }

    public async Task<RetrySummary> RunDueAsync(CancellationToken cancellationToken)
    {
        int sent = 0, succeeded = 0, declined = 0;
        IReadOnlyList<Payment> due;
        do
        {
            due = await retries.FindDueAsync(BatchSize, cancellationToken);
            foreach (var charge in due)
            {
                if (await retries.StartRetryAsync(charge, cancellationToken) is not { } retry)
                {
                    continue;
                }

                sent++;
                var result = await charges.SendAsync(retry, cancellationToken);
                succeeded += result.Succeeded ? 1 : 0;
                declined += result.Status == PaymentStatuses.Failed ? 1 : 0;
            }
        }
        while (due.Count == BatchSize);

        return new RetrySummary(sent, succeeded, declined);
    }
}
