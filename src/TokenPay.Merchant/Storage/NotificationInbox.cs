using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>
/// Every notification applied, once: (tradeToken, refundTradeNo or caseId; status; type) is the identity of a delivery.
/// </summary>
internal sealed class NotificationInbox(RelationalDatabase database, PaymentStore payments, RefundLedger refunds, DisputeLedger disputes, TimeProvider clock)
{
    /// <summary>Records a notification and applies it, in one transaction; false for a duplicate (already applied).</summary>
    public Task<bool> ApplyAsync(string tradeToken, string status, string notifyType, string? outTradeNo, string body, OrderUpdate? order, WalletEntry? wallet, RefundUpdate? refund, CancellationToken cancellationToken) =>
        RecordAndApplyAsync(tradeToken, status, notifyType, outTradeNo, body, async (write, now) =>
        {
            if (order is not null)
            {
                await payments.ApplyAsync(write, order, cancellationToken);
            }

            if (refund is not null)
            {
                await refunds.ApplyAsync(write, refund, cancellationToken);
            }

            if (wallet is not null)
            {
                await WalletStore.UpsertAsync(write, database, wallet with { UpdatedAt = now }, authoritative: false, cancellationToken);
            }
        }, cancellationToken);

    /// <summary>
    /// Records a CHARGEBACK notification and applies its case (as of <paramref name="at"/>, Unix ms), in one transaction;
    /// false for a duplicate. A state older than the case's is recorded and only adds to its timeline.
    /// </summary>
    public Task<bool> ApplyChargebackAsync(CaseView dispute, long at, string body, CancellationToken cancellationToken) =>
        RecordAndApplyAsync(dispute.CaseId, dispute.Status, Wire.NotifyChargeback, dispute.OutTradeNo, body,
            (write, _) => disputes.ApplyAsync(write, dispute, at, cancellationToken), cancellationToken);

    private async Task<bool> RecordAndApplyAsync(string identity, string status, string notifyType, string? outTradeNo, string body, Func<IWriteScope, long, Task> apply, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var recorded = await write.ExecuteAsync("""
            INSERT INTO notification_inbox (trade_token, status, notify_type, out_trade_no, received_at, body) VALUES (@identity, @status, @notifyType, @outTradeNo, @now, @body)
            ON CONFLICT DO NOTHING;
            """, new { identity, status, notifyType, outTradeNo, now, body }, cancellationToken);
        if (recorded == 0)
        {
            await write.RollbackAsync();
            return false;
        }

        await apply(write, now);
        await write.CommitAsync();
        return true;
    }
}
