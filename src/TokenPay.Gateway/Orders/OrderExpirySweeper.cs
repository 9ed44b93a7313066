using Microsoft.Extensions.Options;
using TokenPay.Gateway.Hosting;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Orders;

/// <summary>Closes PENDING orders whose expireTime has passed, on the injected clock.</summary>
internal sealed partial class OrderExpirySweeper(IGatewayStore store, TimeProvider clock, IOptions<GatewayOptions> options, ILogger<OrderExpirySweeper> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>Closes every expired PENDING order; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int closed;
        do
        {
            closed = await store.CloseExpiredOrdersAsync(clock.GetUtcNow().ToUnixTimeMilliseconds(), BatchSize, cancellationToken);
            total += closed;
        }
        while (closed == BatchSize);

        if (total > 0)
        {
            LogClosed(logger, total);
        }

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Orders.ExpirySweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
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
