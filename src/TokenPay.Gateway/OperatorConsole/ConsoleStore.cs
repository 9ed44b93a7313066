using TokenPay.Gateway.Storage;
using TokenPay.Storage;

namespace TokenPay.Gateway.OperatorConsole;

/// <summary>The console's order list filters; all optional.</summary>
internal sealed record OrderFilter(string? MerchantNo, string? Status, string? UserId, long? From, long? To, int Limit = 100);

internal sealed record OrderRow
{
    public required string TradeToken { get; init; }
    public required string MerchantNo { get; init; }
    public required string OutTradeNo { get; init; }
    public required string UserId { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public required string Status { get; init; }
    public string? ResultCode { get; init; }
    public required long CreatedAt { get; init; }
    public bool MerchantInitiated { get; init; }
}

internal sealed record OrderRefund
{
    public required string OutRefundNo { get; init; }
    public required string RefundTradeNo { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public required string Status { get; init; }
    public string? ResultMsg { get; init; }
    public required long CreatedAt { get; init; }
    public long? CompletedAt { get; init; }
}

/// <summary>A dispute case on an order, as the console lists it.</summary>
internal sealed record OrderDispute
{
    public required long Id { get; init; }
    public required string CaseId { get; init; }
    public required string ReasonCategory { get; init; }
    public required string ReasonCode { get; init; }
    public required long AmountMinor { get; init; }
    public required long FeeMinor { get; init; }
    public required string Currency { get; init; }
    public required string Status { get; init; }
    public string? CaseResult { get; init; }
    public required string ExpirationDate { get; init; }
    public long? AnsweredAt { get; init; }
}

/// <summary>One step of a dispute case, as the acquirer reported it or the merchant's answer made it.</summary>
internal sealed record DisputeStep
{
    public required long DisputeId { get; init; }
    public required string Status { get; init; }
    public string? CaseResult { get; init; }
    public required long HappenedAt { get; init; }
}

/// <summary>What the console reads: lists across merchants for the operator, never card numbers (the vault's masked form only).</summary>
internal sealed class ConsoleStore(RelationalDatabase database)
{
    public Task<IReadOnlyList<OrderRow>> ListOrdersAsync(OrderFilter filter, CancellationToken cancellationToken) =>
        database.QueryAsync<OrderRow>("""
            SELECT trade_token, merchant_no, out_trade_no, user_id, amount_minor, currency, status, result_code, created_at, merchant_initiated
            FROM orders
            WHERE (CAST(@MerchantNo AS TEXT) IS NULL OR merchant_no = @MerchantNo)
              AND (CAST(@Status AS TEXT) IS NULL OR status = @Status)
              AND (CAST(@UserId AS TEXT) IS NULL OR user_id = @UserId)
              AND (CAST(@From AS BIGINT) IS NULL OR created_at >= @From)
              AND (CAST(@To AS BIGINT) IS NULL OR created_at < @To)
            ORDER BY id DESC LIMIT @Limit;
            """, filter, cancellationToken);

    public Task<IReadOnlyList<NotificationSummary>> NotificationsOfAsync(long orderId, CancellationToken cancellationToken) =>
        database.QueryAsync<NotificationSummary>("""
            SELECT n.id, o.out_trade_no, n.notify_type, n.url, n.status, n.attempts, n.created_at, n.next_attempt_at, n.delivered_at
            FROM notifications n JOIN orders o ON o.id = n.order_id WHERE n.order_id = @orderId ORDER BY n.id;
            """, new { orderId }, cancellationToken);

    public Task<IReadOnlyList<OrderRefund>> RefundsOfAsync(long orderId, CancellationToken cancellationToken) =>
        database.QueryAsync<OrderRefund>("""
            SELECT out_refund_no, refund_trade_no, amount_minor, currency, status, result_msg, created_at, completed_at
            FROM refunds WHERE order_id = @orderId ORDER BY id;
            """, new { orderId }, cancellationToken);

    public Task<IReadOnlyList<OrderDispute>> DisputesOfAsync(long orderId, CancellationToken cancellationToken) =>
        database.QueryAsync<OrderDispute>("""
            SELECT id, case_id, reason_category, reason_code, amount_minor, fee_minor, currency, status, case_result, expiration_date, answered_at
            FROM disputes WHERE order_id = @orderId ORDER BY id;
            """, new { orderId }, cancellationToken);

    public Task<IReadOnlyList<DisputeStep>> DisputeStepsOfAsync(long orderId, CancellationToken cancellationToken) =>
        database.QueryAsync<DisputeStep>("""
            SELECT e.dispute_id, e.status, e.case_result, e.happened_at
            FROM dispute_events e JOIN disputes d ON d.id = e.dispute_id WHERE d.order_id = @orderId ORDER BY e.happened_at, e.id;
            """, new { orderId }, cancellationToken);

    /// <summary>The order a notification is about, for the way back after a resend.</summary>
    public Task<string?> TradeTokenOfNotificationAsync(long notificationId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<string?>("SELECT o.trade_token FROM notifications n JOIN orders o ON o.id = n.order_id WHERE n.id = @notificationId;", new { notificationId }, cancellationToken);
}
