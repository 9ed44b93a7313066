using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>Every notification applied, once: (tradeToken or refundTradeNo, status, type) is the identity of a delivery.</summary>
internal sealed class NotificationInbox(RelationalDatabase database, PaymentStore payments, RefundLedger refunds, TimeProvider clock)
{
    /// <summary>Records a notification and applies it, in one transaction; false for a duplicate (already applied).</summary>
    public async Task<bool> ApplyAsync(string tradeToken, string status, string notifyType, string? outTradeNo, string body, OrderUpdate? order, WalletEntry? wallet, RefundUpdate? refund, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var recorded = await write.ExecuteAsync("""
            INSERT INTO notification_inbox (trade_token, status, notify_type, out_trade_no, received_at, body) VALUES (@tradeToken, @status, @notifyType, @outTradeNo, @now, @body)
            ON CONFLICT DO NOTHING;
            """, new { tradeToken, status, notifyType, outTradeNo, now, body }, cancellationToken);
        if (recorded == 0)
        {
            await write.RollbackAsync();
            return false;
        }

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

        await write.CommitAsync();
        return true;
    }
}
