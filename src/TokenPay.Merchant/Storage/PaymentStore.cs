using TokenPay.Protocol;
using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>What a gateway answer or notification says about a payment.</summary>
internal sealed record OrderUpdate(string OutTradeNo, string Status, string? TradeToken, string? ResultCode, string? ResultMsg, string? PaymentTokenId, string? Brand, string? MaskedCard)
{
    /// <summary>The network's advice on a decline, when the gateway passed one on.</summary>
    public int? AdviceCategory { get; init; }

    public string? MerchantAdviceCode { get; init; }
}

/// <summary>
/// The merchant's payments: shop checkouts and MIT charges, recorded before their request is sent. Every
/// state change is one transaction; a final state never changes, so duplicate and out-of-order answers and
/// notifications end in the same state.
/// </summary>
internal sealed class PaymentStore(RelationalDatabase database, RetryLedger retries, TimeProvider clock)
{
    /// <summary>Records a payment before its request is sent; false when its order number or charge id is already known.</summary>
    public Task<bool> TryCreateAsync(Payment payment, CancellationToken cancellationToken) =>
        database.WriteAsync(write => TryCreateAsync(write, payment, Now(), cancellationToken), cancellationToken);

    /// <summary>In the caller's transaction: records a payment; false when its order number, charge id or charge attempt is already known.</summary>
    public static async Task<bool> TryCreateAsync(IWriteScope write, Payment payment, long now, CancellationToken cancellationToken) =>
        await write.ExecuteAsync("""
            INSERT INTO payments (out_trade_no, charge_id, charge_of, attempt, kind, user_id, amount_minor, currency, reason, saves_card, save_mit_type, payment_token_id, status, created_at, updated_at)
            VALUES (@OutTradeNo, @ChargeId, @ChargeOf, @Attempt, @Kind, @UserId, @AmountMinor, @Currency, @Reason, @SavesCard, @SaveMitType, @PaymentTokenId, @Status, @now, @now)
            ON CONFLICT DO NOTHING;
            """, new
        {
            payment.OutTradeNo, payment.ChargeId, payment.ChargeOf, payment.Attempt, payment.Kind, payment.UserId, payment.AmountMinor, payment.Currency, payment.Reason,
            payment.SavesCard, payment.SaveMitType, payment.PaymentTokenId, payment.Status, now,
        }, cancellationToken) == 1;

    public Task<Payment?> FindAsync(string outTradeNo, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<Payment>("SELECT * FROM payments WHERE out_trade_no = @outTradeNo;", new { outTradeNo }, cancellationToken);

    public Task<Payment?> FindByChargeAsync(string chargeId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<Payment>("SELECT * FROM payments WHERE charge_id = @chargeId;", new { chargeId }, cancellationToken);

    /// <summary>Payments the filter matches, newest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<Payment>> ListAsync(PaymentFilter filter, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<Payment>($"""
            SELECT * FROM payments{Listing.Where(
                filter.Status is null ? null : "status = @Status",
                filter.UserId is null ? null : "user_id = @UserId",
                filter.Kind is null ? null : "kind = @Kind",
                Listing.OlderThan(filter.Older, "created_at", "out_trade_no"))}
            ORDER BY created_at DESC, out_trade_no DESC LIMIT @limit;
            """, new { filter.Status, filter.UserId, filter.Kind, olderAt = filter.Older?.CreatedAt, olderKey = filter.Older?.Key, limit }, cancellationToken);

    /// <summary>Payments still CREATED or PENDING that were last touched before <paramref name="before"/>, oldest first.</summary>
    public Task<IReadOnlyList<Payment>> ListOpenAsync(long before, CancellationToken cancellationToken) =>
        database.QueryAsync<Payment>("SELECT * FROM payments WHERE status IN (@created, @pending) AND updated_at <= @before ORDER BY updated_at LIMIT 500;",
            new { before, created = PaymentStatuses.Created, pending = PaymentStatuses.Pending }, cancellationToken);

    /// <summary>When the open payment least recently updated was last updated (the reconciler's next due time counts from it).</summary>
    public Task<long?> OldestOpenUpdateAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>("SELECT MIN(updated_at) FROM payments WHERE status IN (@created, @pending);",
            new { created = PaymentStatuses.Created, pending = PaymentStatuses.Pending }, cancellationToken);

    /// <summary>Applies what the gateway said about a payment; a final state is never changed. True when something changed.</summary>
    public Task<bool> ApplyAsync(OrderUpdate update, CancellationToken cancellationToken) =>
        database.WriteAsync(write => ApplyAsync(write, update, cancellationToken), cancellationToken);

    /// <summary>
    /// Counts a send of a CREATED payment's request, durably, before it is handed to the network: from then on
    /// an order may exist. Returns the payment's sends with this one, or null when it is no longer CREATED (another
    /// request settled it) and must not be sent.
    /// </summary>
    public Task<int?> MarkSentAsync(string outTradeNo, CancellationToken cancellationToken) =>
        SendCounter.Payments.MarkSentAsync(database, outTradeNo, Now(), cancellationToken);

    /// <summary>
    /// Refuses a CREATED payment whose request never left: none before (<paramref name="sends"/> 0), or only the
    /// one counted as <paramref name="sends"/> 1, which could not connect. It stays open to a later send with the
    /// same charge id. False when another send was counted meanwhile: then an order may exist.
    /// </summary>
    public Task<bool> RefuseUnsentAsync(string outTradeNo, int sends, string code, string message, CancellationToken cancellationToken) =>
        SendCounter.Payments.RefuseUnsentAsync(database, outTradeNo, sends, code, message, Now(), cancellationToken);

    /// <summary>Opens a payment refused before its request ever left again, to be sent now (with the card the user has now).</summary>
    public async Task<bool> ReopenUnsentAsync(string outTradeNo, string? paymentTokenId, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("""
            UPDATE payments SET status = @created, payment_token_id = @paymentTokenId, result_code = NULL, result_msg = NULL, updated_at = @now
            WHERE out_trade_no = @outTradeNo AND status = @refused AND sends = 0;
            """, new { outTradeNo, paymentTokenId, now = Now(), refused = PaymentStatuses.Refused, created = PaymentStatuses.Created }, cancellationToken) == 1;

    /// <summary>Marks a payment the gateway refused (no order exists there).</summary>
    public Task<bool> RefuseAsync(string outTradeNo, string code, string message, CancellationToken cancellationToken) =>
        ApplyAsync(new OrderUpdate(outTradeNo, PaymentStatuses.Refused, null, code, message, null, null, null), cancellationToken);

    /// <summary>In the caller's transaction: applies an update; a successful payment that saved the card puts it in the user's wallet.</summary>
    public async Task<bool> ApplyAsync(IWriteScope write, OrderUpdate update, CancellationToken cancellationToken)
    {
        var now = Now();
        var changed = (await write.QueryAsync<Payment>("""
            UPDATE payments SET status = @Status, trade_token = COALESCE(@TradeToken, trade_token), result_code = @ResultCode, result_msg = @ResultMsg,
                                payment_token_id = COALESCE(@PaymentTokenId, payment_token_id), updated_at = @now,
                                advice_category = COALESCE(@AdviceCategory, advice_category), merchant_advice_code = COALESCE(@MerchantAdviceCode, merchant_advice_code)
            WHERE out_trade_no = @OutTradeNo AND (status IN (@created, @pending)
                -- A final payment keeps its state, but may still learn the token it saved (a later query or notification).
                OR (status = @success AND @Status = @success AND payment_token_id IS NULL AND CAST(@PaymentTokenId AS TEXT) IS NOT NULL))
            RETURNING *;
            """, new
        {
            update.Status, update.TradeToken, update.ResultCode, update.ResultMsg, update.PaymentTokenId, update.OutTradeNo, now, update.AdviceCategory, update.MerchantAdviceCode,
            created = PaymentStatuses.Created, pending = PaymentStatuses.Pending, success = PaymentStatuses.Success,
        }, cancellationToken)).FirstOrNone();
        if (changed is null)
        {
            return false;
        }

        if (changed.Kind == PaymentKinds.Mit && changed.Status == PaymentStatuses.Failed && changed.Charge is not null)
        {
            // Whichever path learns of the decline (answer, query, notification) plans the retry, in its transaction.
            await retries.PlanAfterDeclineAsync(write, changed, cancellationToken);
        }

        if (update.Status == PaymentStatuses.Success && changed.SavesCard && changed.PaymentTokenId is { } savedToken)
        {
            await WalletStore.UpsertAsync(write, database, new WalletEntry
            {
                PaymentTokenId = savedToken,
                UserId = changed.UserId,
                Brand = update.Brand,
                MaskedCard = update.MaskedCard,
                Status = TokenStatuses.Activated,
                MitAllowed = changed.SaveMitType is not null,
                BindingOutTradeNo = update.OutTradeNo,
                UpdatedAt = now,
            }, authoritative: false, cancellationToken);
            if (changed.Kind == PaymentKinds.Checkout)
            {
                // The customer paid with the card themselves and saved it again: a fraud dispute no longer stops charges on it.
                await write.ExecuteAsync("UPDATE wallet SET fraud_case_id = NULL, attention = NULL, updated_at = @now WHERE payment_token_id = @savedToken AND fraud_case_id IS NOT NULL;",
                    new { now, savedToken }, cancellationToken);
            }
        }

        return true;
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
