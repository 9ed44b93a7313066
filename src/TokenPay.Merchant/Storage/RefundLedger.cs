using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>
/// The merchant's refunds, recorded before they are sent. A final state never changes, so a late
/// REFUND_PENDING (a reordered notification or a stale answer) never overwrites REFUND_SUCCESS.
/// </summary>
internal sealed class RefundLedger(RelationalDatabase database, TimeProvider clock)
{
    /// <summary>Records a refund before it is sent; false when its refund id (or number) is already known.</summary>
    public async Task<bool> TryCreateAsync(MerchantRefund refund, CancellationToken cancellationToken)
    {
        var created = await database.ExecuteAsync("""
            INSERT INTO refunds (out_refund_no, refund_id, out_trade_no, amount_minor, currency, reason, status, created_at, updated_at)
            VALUES (@OutRefundNo, @RefundId, @OutTradeNo, @AmountMinor, @Currency, @Reason, @Status, @now, @now)
            ON CONFLICT DO NOTHING;
            """, new { refund.OutRefundNo, refund.RefundId, refund.OutTradeNo, refund.AmountMinor, refund.Currency, refund.Reason, refund.Status, now = Now() }, cancellationToken) == 1;
        return created;
    }

    public Task<MerchantRefund?> FindByRefundIdAsync(string refundId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<MerchantRefund>("SELECT * FROM refunds WHERE refund_id = @refundId;", new { refundId }, cancellationToken);

    public Task<MerchantRefund?> FindAsync(string outRefundNo, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<MerchantRefund>("SELECT * FROM refunds WHERE out_refund_no = @outRefundNo;", new { outRefundNo }, cancellationToken);

    /// <summary>A payment's refunds, newest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<MerchantRefund>> ListForPaymentAsync(string outTradeNo, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<MerchantRefund>("SELECT * FROM refunds WHERE out_trade_no = @outTradeNo ORDER BY created_at DESC, out_refund_no DESC LIMIT @limit;",
            new { outTradeNo, limit }, cancellationToken);

    /// <summary>Refunds still CREATED or REFUND_PENDING that were last touched before <paramref name="before"/>, oldest first.</summary>
    public Task<IReadOnlyList<MerchantRefund>> ListOpenAsync(long before, CancellationToken cancellationToken) =>
        database.QueryAsync<MerchantRefund>("SELECT * FROM refunds WHERE status IN (@created, @pending) AND updated_at <= @before ORDER BY updated_at LIMIT 500;",
            new { before, created = RefundStates.Created, pending = RefundStates.Pending }, cancellationToken);

    /// <summary>When the open refund least recently updated was last updated.</summary>
    public Task<long?> OldestOpenUpdateAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>("SELECT MIN(updated_at) FROM refunds WHERE status IN (@created, @pending);",
            new { created = RefundStates.Created, pending = RefundStates.Pending }, cancellationToken);

    /// <summary>Counts a send of a CREATED refund before it leaves; its sends with this one, or null when it is no longer CREATED.</summary>
    public Task<int?> MarkSentAsync(string outRefundNo, CancellationToken cancellationToken) =>
        SendCounter.Refunds.MarkSentAsync(database, outRefundNo, Now(), cancellationToken);

    /// <summary>Refuses a CREATED refund whose only send (<paramref name="sends"/> 1) could not connect; false when another send was counted meanwhile.</summary>
    public Task<bool> RefuseUnsentAsync(string outRefundNo, int sends, string code, string message, CancellationToken cancellationToken) =>
        SendCounter.Refunds.RefuseUnsentAsync(database, outRefundNo, sends, code, message, Now(), cancellationToken);

    /// <summary>Opens a refund refused before its request ever left again, to be sent now.</summary>
    public async Task<bool> ReopenUnsentAsync(string outRefundNo, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("""
            UPDATE refunds SET status = @created, result_code = NULL, result_msg = NULL, updated_at = @now
            WHERE out_refund_no = @outRefundNo AND status = @refused AND sends = 0;
            """, new { outRefundNo, now = Now(), refused = RefundStates.Refused, created = RefundStates.Created }, cancellationToken) == 1;

    public Task<bool> ApplyAsync(RefundUpdate update, CancellationToken cancellationToken) =>
        database.WriteAsync(write => ApplyAsync(write, update, cancellationToken), cancellationToken);

    /// <summary>In the caller's transaction: applies an update to an open refund; true when something changed.</summary>
    public async Task<bool> ApplyAsync(IWriteScope write, RefundUpdate update, CancellationToken cancellationToken) =>
        await write.ExecuteAsync("""
            UPDATE refunds SET status = @Status, refund_trade_no = COALESCE(@RefundTradeNo, refund_trade_no), result_code = @ResultCode,
                               result_msg = @ResultMsg, updated_at = @now
            WHERE out_refund_no = @OutRefundNo AND status IN (@created, @pending);
            """, new
        {
            update.Status, update.RefundTradeNo, update.ResultCode, update.ResultMsg, update.OutRefundNo, now = Now(),
            created = RefundStates.Created, pending = RefundStates.Pending,
        }, cancellationToken) == 1;

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
