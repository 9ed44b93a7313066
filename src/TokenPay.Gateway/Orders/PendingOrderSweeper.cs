using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>What one sweep did.</summary>
internal readonly record struct SweepResult(int Recovered, int Closed);

/// <summary>
/// Finishes PENDING orders nobody else will, on the injected clock: orders sent to the acquirer but not
/// finished within <c>Gateway:Orders:RecoverAfter</c> (a crash, a timeout) are settled by asking the acquirer,
/// and orders past their expireTime are closed, after asking the acquirer if they had reached it. Every node
/// may run it: each order ends in one transaction that only moves a PENDING order.
/// </summary>
internal sealed class PendingOrderSweeper(OrderStore orders, PaymentProcessor payments, TimeProvider clock, IOptions<GatewayOptions> options, ILogger<PendingOrderSweeper> logger)
    : IScheduledWork
{
    private const int BatchSize = 500;

    private readonly TimeSpan _recoverAfter = options.Value.Orders.RecoverAfter;

    public string Name => "gateway order sweep";

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var (nextExpiry, oldestSent) = await orders.PendingTimesAsync(cancellationToken);
        long?[] due = [nextExpiry, oldestSent + (long)_recoverAfter.TotalMilliseconds];
        return due.Min() is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var swept = await SweepAsync(cancellationToken);
        return swept.Recovered + swept.Closed;
    }

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var recovered = await RecoverAsync(cancellationToken);
        var closed = await CloseExpiredAsync(cancellationToken);
        if (recovered + closed > 0)
        {
            logger.PendingOrdersSwept(recovered, closed);
        }

        return new SweepResult(recovered, closed);
    }

    private async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        var sentBefore = (clock.GetUtcNow() - _recoverAfter).ToUnixTimeMilliseconds();
        IReadOnlyList<OrderRecord> open;
        do
        {
            open = await orders.FindToRecoverAsync(sentBefore, BatchSize, cancellationToken);
            foreach (var order in open)
            {
                // One the acquirer is still deciding is asked again after RecoverAfter (its sent_at moves on).
                if ((await payments.SettleWithAcquirerAsync(order, closeIfUndecided: false, cancellationToken)).Status != OrderStatuses.Pending)
                {
                    total++;
                }
            }
        }
        while (open.Count == BatchSize);

        return total;
    }

    private async Task<int> CloseExpiredAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        IReadOnlyList<OrderRecord> expired;
        do
        {
            expired = await orders.FindExpiredPendingAsync(clock.GetUtcNow().ToUnixTimeMilliseconds(), BatchSize, cancellationToken);
            foreach (var order in expired)
            {
                // Each end is its own transaction with its notification; one that loses a race to a payment is skipped.
                var result = order.AcquirerState is null
                    ? await payments.CloseExpiredAsync(order, cancellationToken)
                    : await payments.SettleWithAcquirerAsync(order, closeIfUndecided: true, cancellationToken);
                if (result.Status != OrderStatuses.Pending)
                {
                    total++;
                }
            }
        }
        while (expired.Count == BatchSize);

        return total;
    }
}
