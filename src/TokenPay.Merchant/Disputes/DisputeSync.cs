using TokenPay.Client;
using TokenPay.Hosting;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Disputes;

/// <summary>
/// Reconciles dispute cases with caseList (TokenPay's addition), from the cursor kept in the merchant database, so a
/// case whose CHARGEBACK notification was lost is still learnt of. Applying a case here and from a notification is the
/// same idempotent step, whichever comes first.
/// </summary>
internal sealed class DisputeSync(PayerMaxClient client, DisputeLedger disputes, ILogger<DisputeSync> logger) : IScheduledWork
{
    private const int PageSize = 100;

    public string Name => "merchant dispute sync";

    // Cases change on the gateway's schedule, not one this service knows: looked at on every interval, and at every sandbox stop.
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    // A gateway that cannot be asked, or does not offer caseList (PayerMax itself does not), fails only this pass:
    // notifications and caseSearch still work, and the sandbox clock's other work goes on.
    async Task<int> IScheduledWork.RunDueAsync(CancellationToken cancellationToken)
    {
        DisputeSyncSummary summary;
        try
        {
            summary = await SyncAsync(cancellationToken);
        }
        catch (PayerMaxException ex)
        {
            logger.DisputeSyncFailed(ex.GetType().Name);
            return 0;
        }

        if (summary.Refused is { } code)
        {
            logger.DisputeSyncFailed(code);
        }
        else if (summary.Changed > 0)
        {
            logger.DisputesSynced(summary.Read, summary.Changed);
        }

        return summary.Changed;
    }

    /// <summary>
    /// Reads every case changed since the kept cursor, page by page, keeping the cursor after each page. A refusal of
    /// caseList ends the pass with its code in <see cref="DisputeSyncSummary.Refused"/>; the cursor stays where the last page left it.
    /// </summary>
    /// <exception cref="PayerMaxException">The gateway could not be asked.</exception>
    public async Task<DisputeSyncSummary> SyncAsync(CancellationToken cancellationToken)
    {
        int read = 0, changed = 0;
        var cursor = await disputes.CursorAsync(cancellationToken);
        bool more;
        do
        {
            var page = await client.CaseListAsync(new CaseListRequest { Cursor = cursor, Limit = PageSize }, cancellationToken);
            if (page is not { IsSuccess: true, Data: { } data })
            {
                return new DisputeSyncSummary(read, changed, page.Code);
            }

            read += data.Cases.Count;
            changed += await disputes.ApplyPageAsync(data.Cases, data.NextCursor, cancellationToken);
            cursor = data.NextCursor;
            more = data.HasMore && data.Cases.Count > 0;
        }
        while (more);

        return new DisputeSyncSummary(read, changed);
    }
}
