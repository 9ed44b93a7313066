using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>Drop-in sessions and the one-time payment tokens their component issues for entered cards.</summary>
internal sealed class DropinStore(RelationalDatabase database)
{
    public async Task InsertSessionAsync(DropinSession session, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync("""
            INSERT INTO dropin_sessions (session_key, client_key, merchant_no, app_id, user_id, currency, country, amount_minor, mit_type, token_for_future_use, created_at, expires_at)
            VALUES (@SessionKey, @ClientKey, @MerchantNo, @AppId, @UserId, @Currency, @Country, @AmountMinor, @MitType, @TokenForFutureUse, @CreatedAt, @ExpiresAt);
            """, session, cancellationToken);
    }

    public Task<DropinSession?> FindSessionAsync(string sessionKey, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<DropinSession>("SELECT * FROM dropin_sessions WHERE session_key = @sessionKey;", new { sessionKey }, cancellationToken);

    /// <summary>Vaults a card entered in the Drop-in component and issues its one-time payment token, in one transaction.</summary>
    public async Task InsertTokenAsync(string paymentToken, string sessionKey, StoredCard card, long createdAt, long expiresAt, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var cardId = await VaultStore.InsertCardAsync(write, card, cancellationToken);
        await write.ExecuteAsync("""
            INSERT INTO dropin_tokens (payment_token, session_key, card_id, created_at, expires_at) VALUES (@paymentToken, @sessionKey, @cardId, @createdAt, @expiresAt);
            """, new { paymentToken, sessionKey, cardId, createdAt, expiresAt }, cancellationToken);
        await write.CommitAsync();
    }

    public async Task<DropinToken?> FindTokenAsync(string paymentToken, CancellationToken cancellationToken) =>
        (await database.QueryAsync<TokenRow, DropinSession, DropinToken>(
            """
            SELECT t.payment_token, t.card_id, t.used_at, t.expires_at, s.*
            FROM dropin_tokens t JOIN dropin_sessions s ON s.session_key = t.session_key WHERE t.payment_token = @paymentToken;
            """,
            (token, session) => new DropinToken(token.PaymentToken, session, token.CardId, token.UsedAt, token.ExpiresAt),
            "session_key",
            new { paymentToken },
            cancellationToken))
        .FirstOrNone();

    /// <summary>In the caller's transaction: uses the payment token once; false when it was used already or has expired.</summary>
    public static async Task<bool> SpendTokenAsync(IWriteScope write, string paymentToken, long now, CancellationToken cancellationToken) =>
        await write.ExecuteAsync(
            "UPDATE dropin_tokens SET used_at = @now WHERE payment_token = @paymentToken AND used_at IS NULL AND expires_at > @now;",
            new { paymentToken, now },
            cancellationToken) == 1;

    private sealed record TokenRow
    {
        public required string PaymentToken { get; init; }
        public required long CardId { get; init; }
        public long? UsedAt { get; init; }
        public required long ExpiresAt { get; init; }
    }
}
