using System.Data.Common;
using TokenPay.Protocol;
using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// Refunds of SUCCESS orders. What an order's refunds take back is kept on the order and raised by one
/// conditional UPDATE in the refund's own transaction, checked with what its dispute cases freeze or took back,
/// so no interleaving of refunds and disputes, on any number of nodes, takes back more than was paid; a failed refund gives its amount back in the transaction that fails it.
/// </summary>
internal sealed class RefundStore(RelationalDatabase database)
{
    private const string SelectWithOrder = """
        SELECT r.*, o.out_trade_no, o.trade_token, o.acquirer AS order_acquirer FROM refunds r JOIN orders o ON o.id = r.order_id
        """;

    /// <summary>Reserves the amount on the order and inserts the PENDING refund, in one transaction.</summary>
    public async Task<(RefundInsertOutcome Outcome, long RefundId)> TryCreateAsync(RefundRecord refund, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var reserved = await write.ExecuteAsync("""
            UPDATE orders SET refunded_minor = refunded_minor + @AmountMinor
            WHERE id = @OrderId AND status = @success AND refunded_minor + disputed_minor + charged_back_minor + @AmountMinor <= amount_minor;
            """, new { refund.AmountMinor, refund.OrderId, success = OrderStatuses.Success }, cancellationToken);
        if (reserved == 0)
        {
            await write.RollbackAsync();
            return (RefundInsertOutcome.AmountExceeded, 0);
        }

        long? id;
        try
        {
            id = await write.ScalarAsync<long?>("""
                INSERT INTO refunds (refund_trade_no, merchant_no, app_id, out_refund_no, out_refund_no_key, order_id, amount_minor, currency,
                                     comments, notify_url, status, created_at, check_at)
                VALUES (@RefundTradeNo, @MerchantNo, @AppId, @OutRefundNo, @OutRefundNoKey, @OrderId, @AmountMinor, @Currency,
                        @Comments, @NotifyUrl, @Status, @CreatedAt, @CheckAt)
                ON CONFLICT (merchant_no, out_refund_no_key) DO NOTHING
                RETURNING id;
                """, new
            {
                refund.RefundTradeNo, refund.MerchantNo, refund.AppId, refund.OutRefundNo, OutRefundNoKey = Key(refund.OutRefundNo), refund.OrderId,
                refund.AmountMinor, refund.Currency, refund.Comments, refund.NotifyUrl, refund.Status, refund.CreatedAt, refund.CheckAt,
            }, cancellationToken);
        }
        catch (DbException ex) when (database.IsUniqueViolation(ex, "refunds", "refund_trade_no"))
        {
            await write.RollbackAsync();
            return (RefundInsertOutcome.RefundTradeNoTaken, 0);
        }

        if (id is not { } refundId)
        {
            // The reservation goes with the rollback.
            await write.RollbackAsync();
            return (RefundInsertOutcome.DuplicateOutRefundNo, 0);
        }

        await write.CommitAsync();
        return (RefundInsertOutcome.Created, refundId);
    }

    public async Task<RefundRecord?> FindAsync(string merchantNo, string outRefundNo, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<RefundRecord>($"{SelectWithOrder} WHERE r.merchant_no = @merchantNo AND r.out_refund_no_key = @key;",
            new { merchantNo, key = Key(outRefundNo) }, cancellationToken);

    public async Task<RefundRecord?> FindByRefundTradeNoAsync(string merchantNo, string refundTradeNo, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<RefundRecord>($"{SelectWithOrder} WHERE r.merchant_no = @merchantNo AND r.refund_trade_no = @refundTradeNo;",
            new { merchantNo, refundTradeNo }, cancellationToken);

    /// <summary>PENDING refunds due to be asked about, oldest first.</summary>
    public Task<IReadOnlyList<RefundRecord>> FindDueAsync(long now, int batchSize, CancellationToken cancellationToken) =>
        database.QueryAsync<RefundRecord>($"{SelectWithOrder} WHERE r.check_at <= @now AND r.status = @pending ORDER BY r.check_at LIMIT @batchSize;",
            new { now, batchSize, pending = RefundStatuses.Pending }, cancellationToken);

    /// <summary>When the acquirer is next asked about a pending refund, or null when none is pending.</summary>
    public Task<long?> NextCheckAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>("SELECT MIN(check_at) FROM refunds WHERE check_at IS NOT NULL AND status = @pending;", new { pending = RefundStatuses.Pending }, cancellationToken);

    /// <summary>When to ask the acquirer about a pending refund next.</summary>
    public async Task ScheduleCheckAsync(long refundId, long checkAt, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync("UPDATE refunds SET check_at = @checkAt WHERE id = @refundId AND status = @pending;",
            new { checkAt, refundId, pending = RefundStatuses.Pending }, cancellationToken);
    }

    /// <summary>
    /// Moves a PENDING refund to its final state and queues its notification in one transaction; a failed
    /// refund gives its amount back to the order. Null when another path already finished it.
    /// </summary>
    public async Task<RefundRecord?> CompleteAsync(RefundCompletion completion, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var moved = await write.ExecuteAsync("""
            UPDATE refunds SET status = @Status, result_msg = @ResultMsg, completed_at = @CompletedAt, check_at = NULL
            WHERE id = @RefundId AND status = @pending;
            """, new { completion.Status, completion.ResultMsg, completion.CompletedAt, completion.RefundId, pending = RefundStatuses.Pending }, cancellationToken);
        if (moved == 0)
        {
            await write.RollbackAsync();
            return null;
        }

        var refund = (await write.QueryFirstOrDefaultAsync<RefundRecord>($"{SelectWithOrder} WHERE r.id = @RefundId;", new { completion.RefundId }, cancellationToken))!;
        if (completion.Status == RefundStatuses.Failed)
        {
            await write.ExecuteAsync("UPDATE orders SET refunded_minor = refunded_minor - @AmountMinor WHERE id = @OrderId;", new { refund.AmountMinor, refund.OrderId }, cancellationToken);
        }

        if (completion.Notification is { } draft)
        {
            await NotificationOutbox.EnqueueAsync(write, $"refund:{refund.Id}", refund.OrderId, draft.NotifyType, draft.Url, draft.Body, completion.CompletedAt, cancellationToken);
        }

        await write.CommitAsync();
        return refund;
    }

    private static string Key(string outRefundNo) => outRefundNo.ToUpperInvariant();
}
