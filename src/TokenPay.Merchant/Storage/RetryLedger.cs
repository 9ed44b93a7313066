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
        RetryPlan plan;
        if (!settings.Enabled)
        {
            plan = RetryPlan.Stop("Not retried: smart retries are off (Merchant:SmartRetries:Enabled).");
        }
        else
        {
            var first = declined.Attempt == 1 ? declined : (await write.QueryFirstOrDefaultAsync<Payment>("SELECT * FROM payments WHERE charge_id = @chargeId;", new { chargeId }, cancellationToken))!;
            var retriesOnCard = await write.ScalarAsync<long>(
                "SELECT COUNT(*) FROM payments WHERE payment_token_id = @PaymentTokenId AND attempt > 1 AND created_at > @since;",
                new { declined.PaymentTokenId, since = (now - SmartRetries.Window).ToUnixTimeMilliseconds() }, cancellationToken);
            // A first attempt's last update is its decline: a final payment keeps its state and time.
            var firstDeclinedAt = declined.Attempt == 1 ? now : DateTimeOffset.FromUnixTimeMilliseconds(first.UpdatedAt);
            plan = SmartRetries.Plan(declined.Attempt, firstDeclinedAt, now, declined.AdviceCategory, declined.MerchantAdviceCode, (int)retriesOnCard, settings.EffectiveSchedule);
        }

        await write.ExecuteAsync("UPDATE payments SET retry_at = @retryAt, retry_note = @Note WHERE charge_id = @chargeId;",
            new { retryAt = plan.RetryAt?.ToUnixTimeMilliseconds(), plan.Note, chargeId }, cancellationToken);
        if (plan.NeedsCustomer && declined.PaymentTokenId is { } token)
        {
            await MarkAttentionAsync(write, token, plan.Note, now.ToUnixTimeMilliseconds(), cancellationToken);
        }
    }

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
    /// another worker claimed it first or the charge's latest attempt is not a decline (then no retry is owed).
    /// </summary>
    public Task<Payment?> StartRetryAsync(Payment charge, CancellationToken cancellationToken) =>
        database.WriteAsync(async write =>
        {
            var chargeId = charge.ChargeId!;
            var latest = (await write.QueryAsync<Payment>($"SELECT * FROM payments WHERE {ChargeAttempts} ORDER BY attempt DESC LIMIT 1;", new { chargeId }, cancellationToken))[0];
            var owed = latest.Status == PaymentStatuses.Failed;
            var claimed = await write.ExecuteAsync("UPDATE payments SET retry_at = NULL, retry_note = @note WHERE charge_id = @chargeId AND retry_at = @RetryAt;",
                new { chargeId, charge.RetryAt, note = owed ? $"Retry {latest.Attempt} sent." : "No retry: the latest attempt was not declined." }, cancellationToken);
            if (claimed == 0 || !owed)
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

    /// <summary>A charge's attempts, first to last.</summary>
    public Task<IReadOnlyList<Payment>> AttemptsAsync(string chargeId, CancellationToken cancellationToken) =>
        database.QueryAsync<Payment>($"SELECT * FROM payments WHERE {ChargeAttempts} ORDER BY attempt;", new { chargeId }, cancellationToken);
}
