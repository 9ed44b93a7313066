using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Refunds;

/// <summary>
/// Ends pending refunds whose outcome the acquirer now knows, each at its check time: the one the acquirer gave,
/// or <c>Gateway:Orders:RecoverAfter</c> after a refund it never answered (<see cref="RefundProcessor.SettleDueAsync"/>).
/// </summary>
internal sealed class RefundSettlement(RefundProcessor processor, RefundStore refunds, ILogger<RefundSettlement> logger) : IScheduledWork
{
    public string Name => "gateway refund settlement";

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        await refunds.NextCheckAsync(cancellationToken) is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;

    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var ended = await processor.SettleDueAsync(cancellationToken);
        if (ended > 0)
        {
            logger.PendingRefundsSettled(ended);
        }

        return ended;
    }
}
