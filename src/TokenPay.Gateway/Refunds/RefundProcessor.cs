using Microsoft.Extensions.Options;
using TokenPay.Acquiring;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Refunds;

/// <summary>
/// A refund's life after its rules passed: recorded (amount reserved on the order), sent to the acquirer, and
/// ended, with its REFUND notification, when the acquirer's outcome is known: at once, or by the refund settlement
/// (<see cref="RefundSettlement"/>) that asks about pending refunds on every node (each ends in one transaction that
/// moves only a PENDING refund).
/// </summary>
internal sealed class RefundProcessor(
    RefundStore refunds,
    Acquiring.AcquirerRouter acquirers,
    NotificationFactory notifications,
    NotificationSignal dispatcherSignal,
    TimeProvider clock,
    IOptions<GatewayOptions> options,
    ILogger<RefundProcessor> logger)
{
    private const int BatchSize = 500;

    private readonly TimeSpan _recheck = options.Value.Orders.ExpirySweepInterval;
    private readonly TimeSpan _recoverAfter = options.Value.Orders.RecoverAfter;

    /// <summary>Sends a recorded PENDING refund to the acquirer; returns it as it stands after the answer.</summary>
    public async Task<RefundRecord> SendAsync(RefundRecord refund, OrderRecord order, CancellationToken cancellationToken)
    {
        RefundOutcome outcome;
        try
        {
            outcome = await acquirers.Of(order.Acquirer, order.MerchantNo).RefundAsync(new AcquirerRefundRequest(refund.RefundTradeNo, order.TradeToken, order.AcquirerReference, refund.AmountMinor, refund.Currency, refund.Comments), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unknown at the acquirer: the refund stays pending and refund settlement asks after RecoverAfter (when it was recorded to).
            logger.RefundAcquirerFailed(refund.RefundTradeNo, ex.GetType().FullName);
            return refund;
        }

        return await ApplyAsync(refund, outcome, cancellationToken);
    }

    /// <summary>Asks the acquirer about every pending refund that is due; returns how many ended.</summary>
    public async Task<int> SettleDueAsync(CancellationToken cancellationToken)
    {
        var ended = 0;
        IReadOnlyList<RefundRecord> due;
        do
        {
            due = await refunds.FindDueAsync(clock.GetUtcNow().ToUnixTimeMilliseconds(), BatchSize, cancellationToken);
            foreach (var refund in due)
            {
                // Never received (the gateway stopped before sending it): it failed; its amount may be refunded again.
                var outcome = await acquirers.Of(refund.OrderAcquirer, refund.MerchantNo).InquireRefundAsync(refund.RefundTradeNo, cancellationToken)
                    ?? new RefundOutcome(RefundDecision.Failed, "The refund never reached the acquirer; nothing was refunded.");
                if ((await ApplyAsync(refund, outcome, cancellationToken)).Status != RefundStatuses.Pending)
                {
                    ended++;
                }
            }
        }
        while (due.Count == BatchSize);

        return ended;
    }

    /// <summary>When a new refund is first asked about if nothing else ends it: after RecoverAfter (a crash before the acquirer answered).</summary>
    public long FirstCheckAt(DateTimeOffset now) => (now + _recoverAfter).ToUnixTimeMilliseconds();

    private async Task<RefundRecord> ApplyAsync(RefundRecord refund, RefundOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Decision == RefundDecision.Pending)
        {
            var checkAt = outcome.CheckAgainAt ?? clock.GetUtcNow() + _recheck;
            await refunds.ScheduleCheckAsync(refund.Id, checkAt.ToUnixTimeMilliseconds(), cancellationToken);
            return refund with { CheckAt = checkAt.ToUnixTimeMilliseconds() };
        }

        var status = outcome.Decision == RefundDecision.Refunded ? RefundStatuses.Success : RefundStatuses.Failed;
        var message = status == RefundStatuses.Failed ? outcome.Message ?? "The acquirer could not refund the payment." : null;
        var completedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // Only the status, message and completion time of a refund change: its notification is built before the write.
        var notification = notifications.ForRefund(refund with { Status = status, ResultMsg = message, CompletedAt = completedAt, CheckAt = null });
        var ended = await refunds.CompleteAsync(new RefundCompletion(refund.Id, status, message, completedAt, notification), cancellationToken);
        if (ended is null)
        {
            // Another node ended it first.
            return await refunds.FindAsync(refund.MerchantNo, refund.OutRefundNo, cancellationToken) ?? refund;
        }

        dispatcherSignal.Notify();
        return ended;
    }
}
