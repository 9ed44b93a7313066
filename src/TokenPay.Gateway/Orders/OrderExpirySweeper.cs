using Microsoft.Extensions.Options;
using TokenPay.Gateway.Hosting;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>Closes PENDING orders whose expireTime has passed, on the injected clock.</summary>
internal sealed partial class OrderExpirySweeper(IGatewayStore store, PaymentProcessor payments, TimeProvider clock, IOptions<GatewayOptions> options, ILogger<OrderExpirySweeper> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    // Made at start, not in ExecuteAsync (which .NET runs later on a background thread), so ticks count from start.
    private PeriodicTimer? _timer;

    /// <summary>Closes every expired PENDING order; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        IReadOnlyList<OrderRecord> expired;
        do
        {
            expired = await store.FindExpiredPendingOrdersAsync(clock.GetUtcNow().ToUnixTimeMilliseconds(), BatchSize, cancellationToken);
            foreach (var order in expired)
            {
                // Each close is its own transaction with its notification; one that loses a race to a payment is skipped.
                if ((await payments.CloseExpiredAsync(order, cancellationToken)).Status == OrderStatuses.Closed)
                {
                    total++;
                }
            }
        }
        while (expired.Count == BatchSize);

        if (total > 0)
        {
            LogClosed(logger, total);
        }

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
        while (await _timer!.WaitForNextTickAsync(stoppingToken))
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
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} expired pending orders")]
    private static partial void LogClosed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order expiry sweep failed with {ExceptionType}; retrying on the next tick")]
    private static partial void LogSweepFailed(ILogger logger, string? exceptionType);
}
