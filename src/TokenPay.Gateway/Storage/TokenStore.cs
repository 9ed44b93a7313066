using TokenPay.Protocol;
using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>Payment tokens and the vaulted cards they stand for. Every query is scoped to the merchant (and user where the API names one).</summary>
internal sealed class TokenStore(RelationalDatabase database)
{
    private const string SelectWithCard = "SELECT t.*, c.* FROM payment_tokens t JOIN vault_cards c ON c.id = t.card_id";

    /// <summary>A token of this merchant, whichever user it belongs to (the caller decides what a mismatch means).</summary>
    public async Task<TokenRecord?> FindAsync(string merchantNo, string paymentTokenId, CancellationToken cancellationToken) =>
        (await database.QueryAsync<TokenRecord, StoredCard, TokenRecord>(
            $"{SelectWithCard} WHERE t.merchant_no = @merchantNo AND t.payment_token_id = @paymentTokenId;", WithCard, "id", new { merchantNo, paymentTokenId }, cancellationToken))
        .FirstOrNone();

    public Task<IReadOnlyList<TokenRecord>> ListAsync(string merchantNo, string userId, CancellationToken cancellationToken) =>
        database.QueryAsync<TokenRecord, StoredCard, TokenRecord>(
            $"{SelectWithCard} WHERE t.merchant_no = @merchantNo AND t.user_id = @userId ORDER BY t.id;", WithCard, "id", new { merchantNo, userId }, cancellationToken);

    /// <summary>
    /// Marks a token Deleted and queues its TOKENIZATION notification, in one transaction. False (nothing written)
    /// when it no longer stands as read (already removed, or its card or MIT use changed since): read it again.
    /// </summary>
    /// <param name="token">The token as read: the notification was made from it.</param>
    public async Task<bool> DeleteAsync(TokenRecord token, long now, TokenChangeNotice notice, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var deleted = await write.ExecuteAsync("""
            UPDATE payment_tokens SET status = @deleted, deleted_at = @now
            WHERE id = @Id AND status <> @deleted AND card_id = @CardId AND COALESCE(mit_type, '') = @mitType;
            """, new { deleted = TokenStatuses.Deleted, now, token.Id, token.CardId, mitType = token.MitType ?? "" }, cancellationToken);
        return await QueueOrRollBackAsync(write, changed: deleted > 0, token, TokenStatuses.Deleted, now, notice, cancellationToken);
    }

    /// <summary>Activated tokens whose card has expired by <paramref name="now"/> (the sweep marks them Expired).</summary>
    // The status is written into these two queries, not bound: only then may either engine use the partial index
    // ix_tokens_expiry (WHERE status = 'Activated') for a sweep that runs every few seconds.
    public Task<IReadOnlyList<TokenRecord>> FindExpiredAsync(long now, int batchSize, CancellationToken cancellationToken) =>
        database.QueryAsync<TokenRecord, StoredCard, TokenRecord>(
            $"{SelectWithCard} WHERE t.status = '{TokenStatuses.Activated}' AND t.expires_at <= @now ORDER BY t.expires_at LIMIT @batchSize;",
            WithCard, "id", new { now, batchSize }, cancellationToken);

    /// <summary>When the next Activated token expires, or null when none is Activated.</summary>
    public Task<long?> NextExpiryAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>($"SELECT MIN(expires_at) FROM payment_tokens WHERE status = '{TokenStatuses.Activated}';", null, cancellationToken);

    /// <summary>
    /// Marks an expired token Expired and queues its TOKENIZATION notification, in one transaction. False (nothing
    /// written) when it no longer stands as found: removed, renewed by the account updater, or expired by another node.
    /// </summary>
    /// <param name="token">The token as found by <see cref="FindExpiredAsync"/>: the notification was made from it.</param>
    public async Task<bool> ExpireAsync(TokenRecord token, long now, TokenChangeNotice notice, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var expired = await write.ExecuteAsync("""
            UPDATE payment_tokens SET status = @expired
            WHERE id = @Id AND status = @activated AND expires_at <= @now AND card_id = @CardId;
            """, new { expired = TokenStatuses.Expired, activated = TokenStatuses.Activated, now, token.Id, token.CardId }, cancellationToken);
        return await QueueOrRollBackAsync(write, changed: expired > 0, token, TokenStatuses.Expired, now, notice, cancellationToken);
    }

    /// <summary>
    /// In the caller's transaction: whether the token is still Activated and unexpired. The row stays locked
    /// until that transaction ends, so a removal committing after this check waits for it.
    /// </summary>
    public async Task<bool> IsUsableAsync(IWriteScope write, string merchantNo, string paymentTokenId, long now, CancellationToken cancellationToken) =>
        await write.ScalarAsync<int?>($"""
            SELECT 1 FROM payment_tokens
            WHERE merchant_no = @merchantNo AND payment_token_id = @paymentTokenId AND status = @activated AND expires_at > @now {database.LockRowShared};
            """, new { merchantNo, paymentTokenId, now, activated = TokenStatuses.Activated }, cancellationToken) is not null;

    /// <summary>
    /// The token a binding would end up with if written now: the user's Activated token for this card (which
    /// <see cref="BindAsync"/> refreshes), else the new one. The status is written in, as in the partial unique index it reads.
    /// </summary>
    public async Task<string> BoundTokenIdAsync(NewToken bind, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<string?>($"""
            SELECT payment_token_id FROM payment_tokens
            WHERE merchant_no = @MerchantNo AND user_id = @UserId AND fingerprint = @Fingerprint AND status = '{TokenStatuses.Activated}';
            """, new { bind.MerchantNo, bind.UserId, bind.Fingerprint }, cancellationToken) ?? bind.PaymentTokenId;

    /// <summary>
    /// In the caller's transaction: creates the token, or refreshes the one the user already has for this card
    /// (one Activated token per card per user). Returns the token id the card is bound to.
    /// </summary>
    public static async Task<string> BindAsync(IWriteScope write, NewToken bind, CancellationToken cancellationToken)
    {
        // The conflict target must repeat the partial unique index's predicate word for word (ux_tokens_active_card).
        var bound = await write.ScalarAsync<string>($"""
            INSERT INTO payment_tokens (payment_token_id, merchant_no, user_id, card_id, fingerprint, status, mit_type, expires_at, created_at, country, network_transaction_id, updates_checked_at)
            VALUES (@PaymentTokenId, @MerchantNo, @UserId, @CardId, @Fingerprint, @Activated, @MitType, @ExpiresAt, @CreatedAt, @Country, @NetworkTransactionId, @CreatedAt)
            ON CONFLICT (merchant_no, user_id, fingerprint) WHERE status = '{TokenStatuses.Activated}'
            DO UPDATE SET card_id = excluded.card_id, expires_at = excluded.expires_at,
                          mit_type = COALESCE(excluded.mit_type, payment_tokens.mit_type),
                          network_transaction_id = COALESCE(excluded.network_transaction_id, payment_tokens.network_transaction_id)
            RETURNING payment_token_id;
            """, new
        {
            bind.PaymentTokenId, bind.MerchantNo, bind.UserId, bind.CardId, bind.Fingerprint, Activated = TokenStatuses.Activated, bind.MitType, bind.ExpiresAt, bind.CreatedAt, bind.Country,
            bind.NetworkTransactionId,
        }, cancellationToken);
        return bound!;
    }

    /// <summary>Activated tokens not checked with the account updater since <paramref name="checkedBefore"/>, least recently checked first.</summary>
    public Task<IReadOnlyList<TokenRecord>> FindDueForUpdateCheckAsync(long checkedBefore, int batchSize, CancellationToken cancellationToken) =>
        database.QueryAsync<TokenRecord, StoredCard, TokenRecord>(
            $"{SelectWithCard} WHERE t.status = @activated AND t.updates_checked_at < @checkedBefore ORDER BY t.updates_checked_at LIMIT @batchSize;",
            WithCard, "id", new { activated = TokenStatuses.Activated, checkedBefore, batchSize }, cancellationToken);

    /// <summary>When an Activated token was last checked longest ago, or null when none is Activated.</summary>
    public Task<long?> OldestUpdateCheckAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>($"SELECT MIN(updates_checked_at) FROM payment_tokens WHERE status = '{TokenStatuses.Activated}';", null, cancellationToken);

    /// <summary>Records that these tokens were checked now, in one transaction (row by row: list parameters differ between engines).</summary>
    public Task MarkCheckedAsync(IReadOnlyList<long> tokenIds, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async write =>
        {
            foreach (var id in tokenIds)
            {
                await write.ExecuteAsync("UPDATE payment_tokens SET updates_checked_at = @now WHERE id = @id;", new { id, now }, cancellationToken);
            }

            return tokenIds.Count;
        }, cancellationToken);

    /// <summary>
    /// Puts the issuer's news behind the token in one transaction: the new card vaulted and the token pointed at it
    /// (a closed card deletes the token instead), the change recorded, and the TOKENIZATION notification queued.
    /// False (nothing written) when the token no longer stands as checked: another node applied the news first.
    /// </summary>
    /// <param name="token">The token as checked: the notification was made from it.</param>
    public async Task<bool> ApplyCardUpdateAsync(TokenRecord token, StoredCard? newCard, string change, long now, TokenChangeNotice notice, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var cardId = newCard is null ? token.CardId : await VaultStore.InsertCardAsync(write, newCard, cancellationToken);
        var expiresAt = newCard is null ? token.ExpiresAt : Cards.ValidUntil(newCard.ExpiryMonth, newCard.ExpiryYear).ToUnixTimeMilliseconds();
        // A new number takes the new fingerprint unless the user already saved that card under another token.
        var updated = await write.ExecuteAsync("""
            UPDATE payment_tokens SET card_id = @cardId, expires_at = @expiresAt, card_update = @change, card_updated_at = @now,
                status = CASE WHEN @closed = 1 THEN @deleted ELSE status END,
                deleted_at = CASE WHEN @closed = 1 THEN @now ELSE deleted_at END,
                fingerprint = CASE WHEN @fingerprint IS NULL OR EXISTS (
                    SELECT 1 FROM payment_tokens other WHERE other.merchant_no = @MerchantNo AND other.user_id = @UserId AND other.fingerprint = @fingerprint AND other.status = @activated)
                    THEN fingerprint ELSE @fingerprint END
            WHERE id = @Id AND status = @activated AND card_id = @checkedCardId;
            """, new
        {
            cardId, expiresAt, change, now, closed = change == CardUpdates.Closed, deleted = TokenStatuses.Deleted, activated = TokenStatuses.Activated,
            fingerprint = newCard?.Fingerprint, token.MerchantNo, token.UserId, token.Id, checkedCardId = token.CardId,
        }, cancellationToken);
        return await QueueOrRollBackAsync(write, changed: updated > 0, token, change, now, notice, cancellationToken);
    }

    // A token's change and its notification are one transaction: neither is written without the other. One
    // notification per change of a token: the change and its time name it.
    private static async Task<bool> QueueOrRollBackAsync(IWriteScope write, bool changed, TokenRecord token, string change, long now, TokenChangeNotice notice, CancellationToken cancellationToken)
    {
        if (!changed)
        {
            await write.RollbackAsync();
            return false;
        }

        if (notice.Draft is { } draft)
        {
            await NotificationOutbox.EnqueueAsync(write, $"token:{token.Id}:{change}:{now}", notice.BindingOrderId, draft.NotifyType, draft.Url, draft.Body, now, cancellationToken);
        }

        await write.CommitAsync();
        return true;
    }

    private static TokenRecord WithCard(TokenRecord token, StoredCard card) => token with { Card = card };
}
