using Microsoft.Extensions.Options;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Disputes;

/// <summary>
/// Takes in what every configured acquirer reports about disputes (<c>FindDisputeReportsAsync</c>), records each
/// report, then acknowledges them, so a report the gateway did not record comes again; and passes on answers
/// whose evidence has not reached the acquirer yet. Due when an acquirer expects its next report, or at once
/// when reports or evidence wait.
/// </summary>
internal sealed class DisputeIntake(
    DisputeRecorder recorder,
    DisputeStore disputes,
    AcquirerRouter acquirers,
    TimeProvider clock,
    IOptions<GatewayOptions> options,
    ILogger<DisputeIntake> logger) : IScheduledWork
{
    private const int BatchSize = 100;

    /// <summary>After evidence failed to reach its acquirer, it is tried again this much later (not at every tick).</summary>
    private static readonly TimeSpan EvidenceRetry = TimeSpan.FromMinutes(1);

    private long _evidenceRetryAt;

    /// <summary>The sandbox looks this work up by its name.</summary>
    public string Name => "disputes";

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? due = (await disputes.FindEvidenceWaitingAsync(1, cancellationToken)).Count > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(now.ToUnixTimeMilliseconds(), Interlocked.Read(ref _evidenceRetryAt)))
            : null;
        foreach (var name in AcquirerNames())
        {
            var feed = await acquirers.Get(name).FindDisputeReportsAsync(1, cancellationToken);
            var next = feed.Reports.Count > 0 ? now : feed.NextReportAt;
            if (next is { } at && (due is null || at < due))
            {
                due = at;
            }
        }

        return due;
    }

    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var name in AcquirerNames())
        {
            changed += await TakeReportsAsync(name, cancellationToken);
        }

        var forwarded = await ForwardWaitingEvidenceAsync(cancellationToken);
        if (changed > 0 || forwarded > 0)
        {
            logger.DisputesTaken(changed, forwarded);
        }

        return changed + forwarded;
    }

    private async Task<int> TakeReportsAsync(string name, CancellationToken cancellationToken)
    {
        var acquirer = acquirers.Get(name);
        var changed = 0;
        IReadOnlyList<TokenPay.Acquiring.DisputeReport> reports;
        do
        {
            reports = (await acquirer.FindDisputeReportsAsync(BatchSize, cancellationToken)).Reports;
            foreach (var report in reports)
            {
                if (await recorder.ApplyAsync(name, report, cancellationToken))
                {
                    changed++;
                }
            }

            if (reports.Count > 0)
            {
                await acquirer.AcknowledgeDisputeReportsAsync([.. reports.Select(r => r.ReportId)], cancellationToken);
            }
        }
        while (reports.Count == BatchSize);

        return changed;
    }

    private async Task<int> ForwardWaitingEvidenceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now.ToUnixTimeMilliseconds() < Interlocked.Read(ref _evidenceRetryAt))
        {
            return 0;
        }

        var forwarded = 0;
        foreach (var dispute in await disputes.FindEvidenceWaitingAsync(BatchSize, cancellationToken))
        {
            if (await recorder.ForwardEvidenceAsync(dispute, cancellationToken))
            {
                forwarded++;
            }
            else
            {
                Interlocked.Exchange(ref _evidenceRetryAt, (now + EvidenceRetry).ToUnixTimeMilliseconds());
            }
        }

        return forwarded;
    }

    // Every acquirer the configuration routes a merchant to: cases come from where the payments went.
    private IEnumerable<string> AcquirerNames() =>
        options.Value.Acquirers.Merchants.Values.Prepend(options.Value.Acquirers.Default).Distinct(StringComparer.Ordinal);
}
