using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// The durable outbox of signed notifications. Rows are written in the transaction of the state they report;
/// dispatchers (one per node) lease due rows, so an attempt is sent by one node only, and a lease that
/// expires (its node died) lets another node take the row over.
/// </summary>
internal sealed class NotificationOutbox(RelationalDatabase database)
{
    /// <summary>
    /// In the caller's transaction: queues a notification, due at <paramref name="at"/>, about
    /// <paramref name="subject"/> (<c>order:ID</c>, <c>refund:ID</c>, <c>dispute:CASEID:STATUS</c>) of order <paramref name="orderId"/>; at most one per subject and type.
    /// </summary>
    public static Task EnqueueAsync(IWriteScope write, string subject, long orderId, string notifyType, string url, byte[] body, long at, CancellationToken cancellationToken) =>
        write.ExecuteAsync("""
            INSERT INTO notifications (subject, order_id, merchant_no, notify_type, url, body, status, next_attempt_at, created_at)
            SELECT @subject, id, merchant_no, @notifyType, @url, @body, @pending, @at, @at FROM orders WHERE id = @orderId
            ON CONFLICT (subject, notify_type) DO NOTHING;
            """, new { subject, orderId, notifyType, url, body, at, pending = NotificationStatuses.Pending }, cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="batchSize"/> due notifications to <paramref name="owner"/> until
    /// <paramref name="leaseUntil"/>. A row leased to one owner is never leased to another before the lease
    /// expires, so dispatchers sharing a database do not send the same attempt twice.
    /// </summary>
    public async Task<IReadOnlyList<DueNotification>> ClaimDueAsync(string owner, long now, long leaseUntil, int batchSize, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var claimed = await write.QueryAsync<DueNotification>($"""
            UPDATE notifications SET lease_owner = @owner, lease_expires_at = @leaseUntil
            WHERE id IN (
                SELECT id FROM notifications
                WHERE status = @pending AND next_attempt_at <= @now AND (lease_owner IS NULL OR lease_expires_at <= @now)
                ORDER BY next_attempt_at LIMIT @batchSize {database.SkipLockedRows})
            RETURNING id, url, body, schedule_index, attempts, first_attempt_at, notify_type, merchant_no,
                      (SELECT out_trade_no FROM orders o WHERE o.id = notifications.order_id) AS out_trade_no,
                      (SELECT user_id FROM orders o WHERE o.id = notifications.order_id) AS user_id;
            """, new { owner, leaseUntil, now, batchSize, pending = NotificationStatuses.Pending }, cancellationToken);
        await write.CommitAsync();
        return claimed;
    }

    /// <summary>The earliest time a pending notification falls due (or its lease ends), or null when none is pending.</summary>
    public Task<long?> NextDueAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>($"""
            SELECT MIN(CASE WHEN lease_owner IS NULL THEN next_attempt_at ELSE {database.Greatest("next_attempt_at", "lease_expires_at")} END)
            FROM notifications WHERE status = @pending;
            """, new { pending = NotificationStatuses.Pending }, cancellationToken);

    /// <summary>How many pending notifications are due now, and since when the oldest of them has been due.</summary>
    public async Task<(long Due, long? OldestDueAt)> BacklogAsync(long now, CancellationToken cancellationToken)
    {
        var backlog = await database.QueryFirstOrDefaultAsync<(long, long?)>("""
            SELECT COUNT(*), MIN(next_attempt_at) FROM notifications WHERE status = @pending AND next_attempt_at <= @now;
            """, new { now, pending = NotificationStatuses.Pending }, cancellationToken);
        return backlog;
    }

    /// <summary>Records an attempt and schedules the next one (or ends the series) if <paramref name="owner"/> still holds the lease.</summary>
    public async Task<bool> RecordAttemptAsync(DeliveryAttempt attempt, string owner, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var number = await write.ScalarAsync<long?>("""
            UPDATE notifications SET
                attempts = attempts + 1,
                schedule_index = schedule_index + 1,
                first_attempt_at = @FirstAttemptAt,
                status = CASE WHEN @Acknowledged = 1 THEN @delivered WHEN CAST(@NextAttemptAt AS BIGINT) IS NULL THEN @failed ELSE @pending END,
                next_attempt_at = CASE WHEN @Acknowledged = 1 THEN NULL ELSE @NextAttemptAt END,
                delivered_at = CASE WHEN @Acknowledged = 1 THEN @StartedAt ELSE NULL END,
                lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @NotificationId AND lease_owner = @owner AND status = @pending
            RETURNING attempts;
            """, new
        {
            attempt.FirstAttemptAt, attempt.Acknowledged, attempt.NextAttemptAt, attempt.StartedAt, attempt.NotificationId, owner,
            pending = NotificationStatuses.Pending, delivered = NotificationStatuses.Delivered, failed = NotificationStatuses.Failed,
        }, cancellationToken);
        if (number is null)
        {
            // The lease was lost (expired and taken over): the new holder records its own attempts.
            await write.RollbackAsync();
            return false;
        }

        await write.ExecuteAsync("""
            INSERT INTO notification_attempts (notification_id, attempt, started_at, http_status, latency_ms, response_excerpt, error)
            VALUES (@NotificationId, @number, @StartedAt, @HttpStatus, @LatencyMs, @ResponseExcerpt, @Error);
            """, new { attempt.NotificationId, number, attempt.StartedAt, attempt.HttpStatus, attempt.LatencyMs, attempt.ResponseExcerpt, attempt.Error }, cancellationToken);
        await write.CommitAsync();
        return true;
    }

    /// <summary>Gives a leased notification back, due at <paramref name="at"/>, without counting an attempt (the sandbox's delay rules).</summary>
    public async Task<bool> PostponeAsync(long notificationId, string owner, long at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("""
            UPDATE notifications SET next_attempt_at = @at, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @notificationId AND lease_owner = @owner AND status = @pending;
            """, new { notificationId, owner, at, pending = NotificationStatuses.Pending }, cancellationToken) == 1;

    /// <summary>Makes a pending notification due now if it was due later (a held-back one another has overtaken).</summary>
    public Task BringForwardAsync(long notificationId, long now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            UPDATE notifications SET next_attempt_at = @now WHERE id = @notificationId AND status = @pending AND next_attempt_at > @now;
            """, new { notificationId, now, pending = NotificationStatuses.Pending }, cancellationToken);

    /// <summary>Starts a new delivery series for a notification with the same body; false when there is no such notification.</summary>
    public async Task<bool> ResendAsync(long notificationId, long now, CancellationToken cancellationToken)
    {
        var found = await database.ExecuteAsync("""
            UPDATE notifications SET status = @pending, schedule_index = 0, first_attempt_at = NULL, next_attempt_at = @now,
                                     delivered_at = NULL, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @notificationId;
            """, new { notificationId, now, pending = NotificationStatuses.Pending }, cancellationToken) == 1;
        return found;
    }

    public Task<IReadOnlyList<NotificationSummary>> ListAsync(string? status, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<NotificationSummary>("""
            SELECT n.id, o.out_trade_no, n.notify_type, n.url, n.status, n.attempts, n.created_at, n.next_attempt_at, n.delivered_at
            FROM notifications n JOIN orders o ON o.id = n.order_id
            WHERE CAST(@status AS TEXT) IS NULL OR n.status = @status ORDER BY n.id DESC LIMIT @limit;
            """, new { status, limit }, cancellationToken);

    public async Task<bool> ExistsAsync(long notificationId, CancellationToken cancellationToken) =>
        (await database.QueryAsync<long>("SELECT id FROM notifications WHERE id = @notificationId;", new { notificationId }, cancellationToken)).Count == 1;

    public Task<IReadOnlyList<AttemptSummary>> ListAttemptsAsync(long notificationId, CancellationToken cancellationToken) =>
        database.QueryAsync<AttemptSummary>("""
            SELECT attempt, started_at, http_status, latency_ms, response_excerpt, error
            FROM notification_attempts WHERE notification_id = @notificationId ORDER BY attempt;
            """, new { notificationId }, cancellationToken);
}
