using Microsoft.Extensions.Options;
using TokenPay.Hosting;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Storage;

namespace TokenPay.Merchant.Payments;

/// <summary>What a reconciliation pass did.</summary>
public sealed record ReconcileSummary(int Checked, int Settled, int StillOpen);

/// <summary>
/// Settles payments still open after <c>Merchant:ReconcileAfter</c> with orderQuery, so a notification that
/// never comes does not leave an order pending forever.
/// </summary>
internal sealed class Reconciler(PaymentStore payments, ChargeService charges, RefundLedger refundLedger, RefundService refunds, TimeProvider clock, IOptions<MerchantOptions> options, ILogger<Reconciler> logger)
    : IScheduledWork
{
    public string Name => "merchant reconciler";

    // An open payment is looked at once it has been quiet for ReconcileAfter.
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        long?[] oldest = [await payments.OldestOpenUpdateAsync(cancellationToken), await refundLedger.OldestOpenUpdateAsync(cancellationToken)];
        return oldest.Min() is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) + options.Value.ReconcileAfter : null;
    }

    async Task<int> IScheduledWork.RunDueAsync(CancellationToken cancellationToken)
    {
        var summary = await ReconcileAsync(cancellationToken);
        if (summary.Checked > 0)
        {
            logger.Reconciled(summary.Checked, summary.Settled);
        }

        return summary.Settled;
    }

    public async Task<ReconcileSummary> ReconcileAsync(CancellationToken cancellationToken)
    {
        var cutoff = (clock.GetUtcNow() - options.Value.ReconcileAfter).ToUnixTimeMilliseconds();
        var open = await payments.ListOpenAsync(cutoff, cancellationToken);
        var settled = 0;
        foreach (var payment in open)
        {
            var after = await charges.SettleAsync(payment, IfAbsent.Close, cancellationToken);
            if (after.Status is not (PaymentStatuses.Created or PaymentStatuses.Pending))
            {
                settled++;
            }
        }

        var openRefunds = await refundLedger.ListOpenAsync(cutoff, cancellationToken);
        foreach (var refund in openRefunds)
        {
            var after = await refunds.SettleAsync(refund, IfAbsent.Close, cancellationToken);
            if (after.Status is not (RefundStates.Created or RefundStates.Pending))
            {
                settled++;
            }
        }

        var checkedCount = open.Count + openRefunds.Count;
        return new ReconcileSummary(checkedCount, settled, checkedCount - settled);
    }
}
