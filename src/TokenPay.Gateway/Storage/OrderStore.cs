using System.Data.Common;
using Dapper;
using TokenPay.Protocol;
using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// Orders from creation to their terminal state. Each atomic change is one transaction, and only PENDING
/// orders move, so concurrent paths (the API, a 3DS page, the sweeps of several nodes) cannot finish an
/// order twice. outTradeNo is unique per merchant, case-insensitively, by a unique index.
/// </summary>
internal sealed class OrderStore(RelationalDatabase database, TokenStore tokens)
{
    private const string SelectWithCard = """
        SELECT o.*, c.brand AS Brand, c.masked AS Masked, c.holder_masked AS HolderMasked
        FROM orders o LEFT JOIN vault_cards c ON c.id = o.card_id
        """;

    private static readonly string Pending = OrderStatuses.Pending;

    /// <summary>
    /// Inserts a new PENDING order, its vaulted card when given, and spends the Drop-in payment token when
    /// given, in one transaction. On a duplicate outTradeNo or a spent token nothing is written.
    /// </summary>
    public async Task<InsertResult> TryInsertAsync(OrderRecord order, StoredCard? card, string? spendDropinToken, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (spendDropinToken is not null && !await DropinStore.SpendTokenAsync(write, spendDropinToken, order.CreatedAt, cancellationToken))
        {
            await write.RollbackAsync();
            return new InsertResult(InsertOutcome.DropinTokenSpent);
        }

        // Checked again in the transaction that writes the order: a removal that committed first wins, and
        // a removal that commits after this waits for the order's authorization (TokenEndpoints).
        if (order.PaymentTokenId is not null && !await tokens.IsUsableAsync(write, order.MerchantNo, order.PaymentTokenId, order.CreatedAt, cancellationToken))
        {
            await write.RollbackAsync();
            return new InsertResult(InsertOutcome.PaymentTokenUnusable);
        }

        var cardId = card is null ? order.CardId : await VaultStore.InsertCardAsync(write, card, cancellationToken);
        var row = new DynamicParameters(order with { CardId = cardId });
        row.Add("OutTradeNoKey", OutTradeNoKey(order.OutTradeNo));
        long? orderId;
        try
        {
            orderId = await write.ScalarAsync<long?>("""
                INSERT INTO orders (trade_token, merchant_no, app_id, out_trade_no, out_trade_no_key, integrate, subject, amount_minor,
                    currency, country, user_id, reference, language, front_callback_url, notify_url, status, created_at, expires_at,
                    card_id, payment_token_id, token_for_future_use, merchant_initiated, mit_type, cashier_id, acquirer_state, sent_at, acquirer)
                VALUES (@TradeToken, @MerchantNo, @AppId, @OutTradeNo, @OutTradeNoKey, @Integrate, @Subject, @AmountMinor,
                    @Currency, @Country, @UserId, @Reference, @Language, @FrontCallbackUrl, @NotifyUrl, @Status, @CreatedAt, @ExpiresAt,
                    @CardId, @PaymentTokenId, @TokenForFutureUse, @MerchantInitiated, @MitType, @CashierId, @AcquirerState, @SentAt, @Acquirer)
                ON CONFLICT (merchant_no, out_trade_no_key) DO NOTHING
                RETURNING id;
                """, row, cancellationToken);
        }
        catch (DbException ex) when (database.IsUniqueViolation(ex, "orders", "trade_token"))
        {
            // Random trade tokens of the same millisecond can meet; the caller draws another.
            await write.RollbackAsync();
            return new InsertResult(InsertOutcome.TradeTokenTaken);
        }

        if (orderId is not { } id)
        {
            // Duplicate outTradeNo: the vaulted card and the spent Drop-in token go with the rollback.
            await write.RollbackAsync();
            return new InsertResult(InsertOutcome.DuplicateOutTradeNo);
        }

        await write.CommitAsync();
        return new InsertResult(InsertOutcome.Inserted, id, cardId);
    }

    public Task<OrderRecord?> FindAsync(string merchantNo, string outTradeNo, CancellationToken cancellationToken) =>
        FirstAsync("o.merchant_no = @merchantNo AND o.out_trade_no_key = @key", new { merchantNo, key = OutTradeNoKey(outTradeNo) }, cancellationToken);

    public Task<OrderRecord?> FindByTradeTokenAsync(string merchantNo, string tradeToken, CancellationToken cancellationToken) =>
        FirstAsync("o.merchant_no = @merchantNo AND o.trade_token = @tradeToken", new { merchantNo, tradeToken }, cancellationToken);

    public Task<OrderRecord?> FindByCashierAsync(string cashierId, CancellationToken cancellationToken) =>
        FirstAsync("o.cashier_id = @cashierId", new { cashierId }, cancellationToken);

    /// <summary>The order that saved a token's card (the first order linked to it).</summary>
    public async Task<OrderRecord?> FindBindingAsync(string merchantNo, string paymentTokenId, CancellationToken cancellationToken) =>
        (await QueryAsync("o.merchant_no = @merchantNo AND o.payment_token_id = @paymentTokenId ORDER BY o.id LIMIT 1", new { merchantNo, paymentTokenId }, cancellationToken)).FirstOrNone();

    /// <summary>Any merchant's order by trade token: for the acquirer's callbacks, which name the order by it.</summary>
    public Task<OrderRecord?> FindForAcquirerAsync(string tradeToken, CancellationToken cancellationToken) =>
        FirstAsync("o.trade_token = @tradeToken", new { tradeToken }, cancellationToken);

    /// <summary>
    /// Vaults the card entered on a cashier page and attaches it to the order (now being sent to the acquirer),
    /// with the country the shopper chose, once; null if the order already has a card or is no longer PENDING.
    /// </summary>
    public async Task<long?> AttachCardAsync(long orderId, StoredCard card, string country, long now, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var cardId = await VaultStore.InsertCardAsync(write, card, cancellationToken);
        var attached = await write.ExecuteAsync("""
            UPDATE orders SET card_id = @cardId, country = @country, acquirer_state = @sending, sent_at = @now
            WHERE id = @orderId AND status = @Pending AND card_id IS NULL;
            """, new { cardId, country, orderId, now, sending = AcquirerStates.Sending, Pending }, cancellationToken);
        if (attached == 0)
        {
            await write.RollbackAsync();
            return null;
        }

        await write.CommitAsync();
        return cardId;
    }

    /// <summary>Attaches a 3DS challenge to a PENDING order, which now waits for the customer, not for the acquirer.</summary>
    public Task SetChallengeAsync(long orderId, string challengeId, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE orders SET challenge_id = @challengeId, acquirer_state = NULL WHERE id = @orderId AND status = @Pending;", new { challengeId, orderId, Pending }, cancellationToken);

    /// <summary>
    /// Marks a challenge used; true only for the one caller that claimed it while its order was PENDING and
    /// unexpired. With <paramref name="authorizeNext"/> the order is marked as being sent to the acquirer.
    /// </summary>
    public async Task<bool> ClaimChallengeAsync(string challengeId, long now, bool authorizeNext, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("""
            UPDATE orders SET challenge_used = 1,
                              acquirer_state = CASE WHEN @authorizeNext = 1 THEN @sending ELSE acquirer_state END,
                              sent_at = CASE WHEN @authorizeNext = 1 THEN @now ELSE sent_at END
            WHERE challenge_id = @challengeId AND challenge_used = 0 AND status = @Pending AND expires_at > @now;
            """, new { challengeId, now, authorizeNext, sending = AcquirerStates.Sending, Pending }, cancellationToken) == 1;

    /// <summary>Records that the acquirer is still deciding a PENDING order (asked again after <c>RecoverAfter</c>).</summary>
    public Task MarkAcquirerPendingAsync(long orderId, long now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE orders SET acquirer_state = @state, sent_at = @now WHERE id = @orderId AND status = @Pending;",
            new { state = AcquirerStates.Pending, now, orderId, Pending }, cancellationToken);

    /// <summary>PENDING orders at the acquirer (sent, or still being decided) last sent before <paramref name="sentBefore"/>, oldest first.</summary>
    public Task<IReadOnlyList<OrderRecord>> FindToRecoverAsync(long sentBefore, int batchSize, CancellationToken cancellationToken) =>
        QueryAsync("o.acquirer_state IS NOT NULL AND o.status = @Pending AND o.sent_at <= @sentBefore ORDER BY o.sent_at LIMIT @batchSize",
            new { Pending, sentBefore, batchSize }, cancellationToken);

    /// <summary>The earliest expiry of a PENDING order, and the earliest time one was sent to its acquirer (recovery counts from it).</summary>
    public async Task<(long? NextExpiry, long? OldestSent)> PendingTimesAsync(CancellationToken cancellationToken)
    {
        var times = await database.QueryFirstOrDefaultAsync<(long?, long?)>("""
            SELECT (SELECT MIN(expires_at) FROM orders WHERE status = @Pending),
                   (SELECT MIN(sent_at) FROM orders WHERE status = @Pending AND acquirer_state IS NOT NULL);
            """, new { Pending }, cancellationToken);
        return times;
    }

    /// <summary>PENDING orders whose expiry has passed, oldest first.</summary>
    public Task<IReadOnlyList<OrderRecord>> FindExpiredPendingAsync(long now, int batchSize, CancellationToken cancellationToken) =>
        QueryAsync("o.status = @Pending AND o.expires_at <= @now ORDER BY o.expires_at LIMIT @batchSize", new { Pending, now, batchSize }, cancellationToken);

    /// <summary>True while an order on this token, sent after <paramref name="sentAfter"/>, waits for the acquirer's answer.</summary>
    public async Task<bool> HasTokenOrderBeingAuthorizedAsync(string merchantNo, string paymentTokenId, long sentAfter, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<int?>("""
            SELECT 1 FROM orders
            WHERE payment_token_id = @paymentTokenId AND acquirer_state = @sending AND merchant_no = @merchantNo AND status = @Pending AND sent_at > @sentAfter LIMIT 1;
            """, new { paymentTokenId, sending = AcquirerStates.Sending, merchantNo, Pending, sentAfter }, cancellationToken) is not null;

    /// <summary>
    /// Moves a PENDING order to its terminal state, binds its token and queues its notifications, in one
    /// transaction. Only PENDING orders move (docs/protocol.md 3); an order another path already finished is
    /// left as it is and nothing is applied. The notifications were built before the write, naming
    /// <see cref="OrderCompletion.PaymentTokenId"/>: when the order would end up linked to another token, nothing is written.
    /// </summary>
    public async Task<CompletionOutcome> CompleteAsync(OrderCompletion completion, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var boundToken = completion.Bind is { } bind ? await TokenStore.BindAsync(write, bind, cancellationToken) : null;
        var moved = await write.QueryAsync<string?>("""
            UPDATE orders SET status = @Status, result_code = @ResultCode, result_msg = @ResultMsg, completed_at = @CompletedAt, acquirer_state = NULL,
                              acquirer_reference = @AcquirerReference, payment_token_id = COALESCE(@boundToken, payment_token_id),
                              network_transaction_id = @NetworkTransactionId, advice_category = @AdviceCategory, merchant_advice_code = @MerchantAdviceCode
            WHERE id = @OrderId AND status = @Pending
            RETURNING payment_token_id;
            """, new
        {
            completion.Status, completion.ResultCode, completion.ResultMsg, completion.CompletedAt, completion.AcquirerReference, boundToken, completion.OrderId, Pending,
            completion.NetworkTransactionId, completion.AdviceCategory, completion.MerchantAdviceCode,
        }, cancellationToken);
        if (moved is not [var tokenId])
        {
            // Already terminal (a race with expiry, or a second completion): terminal states never change.
            await write.RollbackAsync();
            return CompletionOutcome.AlreadyFinal;
        }

        if (tokenId != completion.PaymentTokenId)
        {
            // The notifications name another token than the order would be linked to.
            await write.RollbackAsync();
            return CompletionOutcome.TokenMoved;
        }

        foreach (var draft in completion.Notifications)
        {
            await NotificationOutbox.EnqueueAsync(write, $"order:{completion.OrderId}", completion.OrderId, draft.NotifyType, draft.Url, draft.Body, completion.CompletedAt, cancellationToken);
        }

        await write.CommitAsync();
        return CompletionOutcome.Applied;
    }

    private static string OutTradeNoKey(string outTradeNo) => outTradeNo.ToUpperInvariant();

    private async Task<OrderRecord?> FirstAsync(string where, object parameters, CancellationToken cancellationToken) =>
        (await QueryAsync(where, parameters, cancellationToken)).FirstOrNone();

    private Task<IReadOnlyList<OrderRecord>> QueryAsync(string whereAndOrder, object parameters, CancellationToken cancellationToken) =>
        database.QueryAsync<OrderRecord, CardDisplay, OrderRecord>(
            $"{SelectWithCard} WHERE {whereAndOrder};", (order, card) => order with { Card = card }, "Brand", parameters, cancellationToken);
}
