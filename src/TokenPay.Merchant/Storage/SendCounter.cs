using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>
/// How many times a CREATED payment's or refund's request was handed to the network, counted durably before it
/// leaves: 0 means it never did, so a refusal may be reopened and an absent order proves nothing was charged.
/// Payments and refunds count the same way, each in its own table.
/// </summary>
/// <param name="table">The table of the requests.</param>
/// <param name="key">Its key column, the merchant's number of a request.</param>
/// <param name="created">The state of a request not yet answered (it may be sent).</param>
/// <param name="refused">The state of a request refused without an order at the gateway.</param>
internal sealed class SendCounter(string table, string key, string created, string refused)
{
    public static readonly SendCounter Payments = new("payments", "out_trade_no", PaymentStatuses.Created, PaymentStatuses.Refused);

    public static readonly SendCounter Refunds = new("refunds", "out_refund_no", RefundStates.Created, RefundStates.Refused);

    // Built once per table: the SQLite statement cache keeps a fixed set of texts.
    private readonly string _markSent = $"UPDATE {table} SET sends = sends + 1, updated_at = @now WHERE {key} = @key AND status = @created RETURNING sends;";

    private readonly string _refuseUnsent = $"""
        UPDATE {table} SET status = @refused, result_code = @code, result_msg = @message, sends = 0, updated_at = @now
        WHERE {key} = @key AND status = @created AND sends = @sends;
        """;

    /// <summary>Counts a send of a CREATED request; its sends with this one, or null when it is no longer CREATED and must not be sent.</summary>
    public async Task<int?> MarkSentAsync(RelationalDatabase database, string requestKey, long now, CancellationToken cancellationToken) =>
        (await database.WriteAsync(write => write.QueryAsync<int>(_markSent, new { key = requestKey, now, created }, cancellationToken), cancellationToken))
            is [var sends] ? sends : null;

    /// <summary>Refuses a CREATED request sent <paramref name="sends"/> times; false when another send was counted meanwhile.</summary>
    public async Task<bool> RefuseUnsentAsync(RelationalDatabase database, string requestKey, int sends, string code, string message, long now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(_refuseUnsent, new { key = requestKey, sends, code, message, now, refused, created }, cancellationToken) == 1;
}
