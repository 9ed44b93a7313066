using Microsoft.Extensions.Options;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Payments;
using TokenPay.Protocol;
using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>
/// The retry plan of declined MIT charges. A charge's attempts are payments of their own, one per attempt
/// number (a unique index), so a retry is sent once however many workers look; the charge's first payment
/// holds when the next retry is due and the plan in a sentence.
/// </summary>
internal sealed class RetryLedger(RelationalDatabase database, TimeProvider clock, IOptions<MerchantOptions> options)
{
    private const string ChargeAttempts = "(charge_id = @chargeId OR charge_of = @chargeId)";

    /// <summary>In the caller's transaction: plans what follows a declined attempt (<see cref="SmartRetries"/>); a card the customer must fix is marked in the wallet.</summary>
    public async Task PlanAfterDeclineAsync(IWriteScope write, Payment declined, CancellationToken cancellationToken)
    {
        var chargeId = declined.Charge!;
        var now = clock.GetUtcNow();
        var settings = options.Value.SmartRetries;
        var fraudCase = declined.PaymentTokenId is { } card
            ? await write.ScalarAsync<string>("SELECT fraud_case_id FROM wallet WHERE payment_token_id = @card;", new { card }, cancellationToken)
            : null;
        RetryPlan plan;
        if (!settings.Enabled)
        {
            plan = RetryPlan.Stop("Not retried: smart retries are off (Merchant:SmartRetries:Enabled).");
        }
        else if (fraudCase is not null)
        {
            plan = RetryPlan.Stop($"No more retries: the cardholder disputed a payment on this card as fraud (case {fraudCase}).");
        }
        else
        {
            var firstDeclinedAt = declined.Attempt == 1 ? now
                : FirstDeclinedAt((await write.QueryFirstOrDefaultAsync<Payment>("SELECT * FROM payments WHERE charge_id = @chargeId;", new { chargeId }, cancellationToken))!);
            plan = SmartRetries.Plan(declined.Attempt, firstDeclinedAt, now, declined.AdviceCategory, declined.MerchantAdviceCode, settings.EffectiveSchedule);
        }

        await write.ExecuteAsync("UPDATE payments SET retry_at = @retryAt, retry_note = @Note WHERE charge_id = @chargeId;",
            new { retryAt = plan.RetryAt?.ToUnixTimeMilliseconds(), plan.Note, chargeId }, cancellationToken);
        if (plan.NeedsCustomer && declined.PaymentTokenId is { } token)
        {
            await MarkAttentionAsync(write, token, plan.Note, now.ToUnixTimeMilliseconds(), cancellationToken);
        }
    }

    // A first attempt's last update is its decline: a final payment keeps its state and time.
    private static DateTimeOffset FirstDeclinedAt(Payment first) => DateTimeOffset.FromUnixTimeMilliseconds(first.UpdatedAt);

    /// <summary>In the caller's transaction: records why a saved card needs its customer.</summary>
    public static Task<int> MarkAttentionAsync(IWriteScope write, string paymentTokenId, string attention, long now, CancellationToken cancellationToken) =>
        write.ExecuteAsync("UPDATE wallet SET attention = @attention, updated_at = @now WHERE payment_token_id = @paymentTokenId;", new { attention, now, paymentTokenId }, cancellationToken);

    /// <summary>Charges (their first payments) whose next retry is due, soonest first.</summary>
    /// <summary>When the next retry falls due; null when none is owed.</summary>
    public Task<long?> NextDueAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>("SELECT MIN(retry_at) FROM payments WHERE retry_at IS NOT NULL;", null, cancellationToken);

    public Task<IReadOnlyList<Payment>> FindDueAsync(int batchSize, CancellationToken cancellationToken) =>
        database.QueryAsync<Payment>("SELECT * FROM payments WHERE retry_at <= @now ORDER BY retry_at LIMIT @batchSize;",
            new { now = clock.GetUtcNow().ToUnixTimeMilliseconds(), batchSize }, cancellationToken);

    /// <summary>
    /// Claims a due retry and records its payment (CREATED, the next attempt number), in one transaction; null when
    /// another worker claimed it first, the charge's latest attempt is not a decline (then no retry is owed), or the
    /// card network's retry limits hold it back (then it waits, or stops, as <see cref="SmartRetries.Pace"/> says).
    /// </summary>
    public Task<Payment?> StartRetryAsync(Payment charge, CancellationToken cancellationToken) =>
        database.WriteAsync(async write =>
        {
            var chargeId = charge.ChargeId!;
            var latest = (await write.QueryAsync<Payment>($"SELECT * FROM payments WHERE {ChargeAttempts} ORDER BY attempt DESC LIMIT 1;", new { chargeId }, cancellationToken))[0];
            var owed = latest.Status == PaymentStatuses.Failed;
            var heldBack = owed ? await PaceAsync(write, charge, cancellationToken) : null;
            var (retryAt, note) = !owed ? (null, "No retry: the latest attempt was not declined.")
                : heldBack is not null ? (heldBack.RetryAt?.ToUnixTimeMilliseconds(), heldBack.Note)
                : ((long?)null, $"Retry {latest.Attempt} sent.");
            var claimed = await write.ExecuteAsync("UPDATE payments SET retry_at = @retryAt, retry_note = @note WHERE charge_id = @chargeId AND retry_at = @RetryAt;",
                new { chargeId, charge.RetryAt, retryAt, note }, cancellationToken);
            if (claimed == 0 || !owed || heldBack is not null)
            {
                return null;
            }

            var retry = latest with
            {
                OutTradeNo = PaymentOrders.ForRetry(chargeId, latest.Attempt + 1),
                ChargeId = null,
                ChargeOf = chargeId,
                Attempt = latest.Attempt + 1,
                Status = PaymentStatuses.Created,
                TradeToken = null,
                ResultCode = null,
                ResultMsg = null,
                AdviceCategory = null,
                MerchantAdviceCode = null,
                RetryAt = null,
                RetryNote = null,
            };
            return await PaymentStore.TryCreateAsync(write, retry, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken) ? retry : null;
        }, cancellationToken);

    /// <summary>In the claiming transaction: what the card network's retry limits say of a retry now (<see cref="SmartRetries.Pace"/>).</summary>
    private async Task<RetryPlan?> PaceAsync(IWriteScope write, Payment charge, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var window = NetworkRetryLimits.LongestWindow;
        var brand = await write.ScalarAsync<string>("SELECT brand FROM wallet WHERE payment_token_id = @PaymentTokenId;", new { charge.PaymentTokenId }, cancellationToken);
        var mits = await write.QueryAsync<MitOnCard>(
            "SELECT created_at, status FROM payments WHERE payment_token_id = @PaymentTokenId AND kind = @Mit AND created_at > @since ORDER BY created_at, attempt;",
            new { charge.PaymentTokenId, PaymentKinds.Mit, since = (now - (2 * window)).ToUnixTimeMilliseconds() }, cancellationToken);
        // The network tells charges apart no better than by card: every MIT on the card soon after a declined one is a reattempt.
        var reattempts = mits.Zip(mits.Skip(1))
            .Where(pair => pair.First.Status == PaymentStatuses.Failed && pair.Second.CreatedAt - pair.First.CreatedAt < (long)window.TotalMilliseconds)
            .Select(pair => DateTimeOffset.FromUnixTimeMilliseconds(pair.Second.CreatedAt));
        return SmartRetries.Pace(brand, [.. reattempts], FirstDeclinedAt(charge), now);
    }

    private sealed record MitOnCard
    {
        public required long CreatedAt { get; init; }
        public required string Status { get; init; }
    }

    /// <summary>
    /// Charges the filter matches (its status is the latest attempt's), newest first, at most <paramref name="limit"/>;
    /// a charge is its first payment, the one holding its charge id.
    /// </summary>
    public Task<IReadOnlyList<ChargeSummary>> ListChargesAsync(ChargeFilter filter, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<ChargeSummary>($"""
            SELECT c.charge_id, c.user_id, c.amount_minor, c.currency, c.created_at, l.status, l.attempt AS attempts
            FROM payments c JOIN payments l ON l.out_trade_no = (
                SELECT a.out_trade_no FROM payments a WHERE a.charge_id = c.charge_id OR a.charge_of = c.charge_id ORDER BY a.attempt DESC LIMIT 1)
            {Listing.Where(
                "c.charge_id IS NOT NULL",
                filter.Status is null ? null : "l.status = @Status",
                filter.UserId is null ? null : "c.user_id = @UserId",
                Listing.OlderThan(filter.Older, "c.created_at", "c.charge_id"))}
            ORDER BY c.created_at DESC, c.charge_id DESC LIMIT @limit;
            """, new { filter.Status, filter.UserId, olderAt = filter.Older?.CreatedAt, olderKey = filter.Older?.Key, limit }, cancellationToken);

    /// <summary>A charge's attempts, first to last.</summary>
    public Task<IReadOnlyList<Payment>> AttemptsAsync(string chargeId, CancellationToken cancellationToken) =>
        database.QueryAsync<Payment>($"SELECT * FROM payments WHERE {ChargeAttempts} ORDER BY attempt;", new { chargeId }, cancellationToken);
}
