using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>What one sweep did.</summary>
internal readonly record struct SweepResult(int Recovered, int Closed, int RefundsEnded, int CardsUpdated, int TokensExpired);

/// <summary>
/// Finishes PENDING orders nobody else will, on the injected clock: orders sent to the acquirer but not
/// finished within <c>Gateway:Orders:RecoverAfter</c> (a crash, a timeout) are settled by asking the acquirer,
/// and orders past their expireTime are closed, after asking the acquirer if they had reached it. Every node
/// may run it: each order ends in one transaction that only moves a PENDING order. It also ends pending
/// refunds whose outcome the acquirer now knows (<see cref="Refunds.RefundProcessor.SettleDueAsync"/>) and runs the
/// account updater over tokens due a check (<see cref="Tokens.CardUpdater"/>), then ends the tokens whose card
/// has expired (<see cref="Tokens.TokenExpiry"/>).
/// </summary>
internal sealed partial class PendingOrderSweeper(OrderStore orders, PaymentProcessor payments, Refunds.RefundProcessor refunds, Tokens.CardUpdater cardUpdater, Tokens.TokenExpiry tokenExpiry, TokenStore tokens, TimeProvider clock, IOptions<GatewayOptions> options, ILogger<PendingOrderSweeper> logger)
    : BackgroundService, IScheduledWork
{
    private const int BatchSize = 500;

    private readonly TimeSpan _recoverAfter = options.Value.Orders.RecoverAfter;

    // Made at start, not in ExecuteAsync (which .NET runs later on a background thread), so ticks count from start.
    private PeriodicTimer? _timer;

    public string Name => "gateway order sweep";

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var (nextExpiry, oldestSent) = await orders.PendingTimesAsync(cancellationToken);
        long?[] due = [nextExpiry, oldestSent + (long)_recoverAfter.TotalMilliseconds, await tokens.NextExpiryAsync(cancellationToken)];
        return due.Min() is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var swept = await SweepAsync(cancellationToken);
        return swept.Recovered + swept.Closed + swept.RefundsEnded + swept.CardsUpdated + swept.TokensExpired;
    }

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var recovered = await RecoverAsync(cancellationToken);
        var closed = await CloseExpiredAsync(cancellationToken);
        var refundsEnded = await refunds.SettleDueAsync(cancellationToken);
        var cardsUpdated = await cardUpdater.CheckDueAsync(cancellationToken);
        // After the account updater: a card it renewed is not expired.
        var tokensExpired = await tokenExpiry.ExpireDueAsync(cancellationToken);
        if (recovered + closed + refundsEnded + cardsUpdated + tokensExpired > 0)
        {
            LogSwept(logger, recovered, closed, refundsEnded, cardsUpdated, tokensExpired);
        }

        return new SweepResult(recovered, closed, refundsEnded, cardsUpdated, tokensExpired);
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

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(options.Value.Orders.ExpirySweepInterval, clock);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A restart recovers what a crash left before the first tick.
        try
        {
            do
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex.GetType().FullName);
                }
            }
            while (await _timer!.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, also when the host fails to start (a busy port): a sweep cut short is no failure.
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Pending-order sweep: {Recovered} settled with the acquirer, {Closed} expired orders ended, {RefundsEnded} refunds ended, {CardsUpdated} stored cards updated, {TokensExpired} tokens expired")]
    private static partial void LogSwept(ILogger logger, int recovered, int closed, int refundsEnded, int cardsUpdated, int tokensExpired);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Pending-order sweep failed with {ExceptionType}; retrying on the next tick")]
    private static partial void LogSweepFailed(ILogger logger, string? exceptionType);
}
