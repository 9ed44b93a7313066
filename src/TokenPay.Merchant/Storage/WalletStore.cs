using TokenPay.Protocol;
using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>
/// The users' saved cards as this merchant knows them (token ids and masked cards, never a card number).
/// The gateway's token inquiry is the authority; a late notification never revives a removed card.
/// </summary>
internal sealed class WalletStore(RelationalDatabase database, TimeProvider clock)
{
    public Task<IReadOnlyList<WalletEntry>> ListAsync(string userId, CancellationToken cancellationToken) =>
        database.QueryAsync<WalletEntry>("SELECT * FROM wallet WHERE user_id = @userId ORDER BY created_at;", new { userId }, cancellationToken);

    public Task<WalletEntry?> FindAsync(string paymentTokenId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<WalletEntry>("SELECT * FROM wallet WHERE payment_token_id = @paymentTokenId;", new { paymentTokenId }, cancellationToken);

    /// <summary>
    /// Customers (users with saved cards or payments) whose user id starts with <paramref name="prefix"/>, by user id
    /// after <paramref name="after"/>, at most <paramref name="limit"/>; with their active cards and latest payment.
    /// </summary>
    public Task<IReadOnlyList<CustomerSummary>> ListCustomersAsync(string? prefix, string? after, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<CustomerSummary>($"""
            SELECT u.user_id,
                   (SELECT COUNT(*) FROM wallet w WHERE w.user_id = u.user_id AND w.status = @activated) AS active_cards,
                   (SELECT MAX(p.created_at) FROM payments p WHERE p.user_id = u.user_id) AS last_payment_at
            FROM (SELECT user_id FROM wallet UNION SELECT user_id FROM payments) u
            {Listing.Where(
                // substr, not LIKE: the same case-sensitive match on both engines, and no wildcards to escape.
                prefix is null ? null : "substr(u.user_id, 1, @prefixLength) = @prefix",
                after is null ? null : "u.user_id > @after")}
            ORDER BY u.user_id LIMIT @limit;
            """, new { activated = TokenStatuses.Activated, prefix, prefixLength = prefix?.Length, after, limit }, cancellationToken);

    /// <summary>Writes what the gateway's token inquiry says: it is the authority, so its status wins.</summary>
    public Task UpsertFromGatewayAsync(WalletEntry entry, CancellationToken cancellationToken) =>
        database.WriteAsync(write => UpsertAsync(write, database, entry with { UpdatedAt = Now() }, authoritative: true, cancellationToken), cancellationToken);

    public Task SetStatusAsync(string paymentTokenId, string status, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE wallet SET status = @status, updated_at = @now WHERE payment_token_id = @paymentTokenId;",
            new { status, now = Now(), paymentTokenId }, cancellationToken);

    /// <summary>In the caller's transaction: adds or refreshes an entry. Unless <paramref name="authoritative"/>, a Deleted entry stays Deleted.</summary>
    public static Task<int> UpsertAsync(IWriteScope write, RelationalDatabase database, WalletEntry entry, bool authoritative, CancellationToken cancellationToken)
    {
        var status = authoritative ? "excluded.status" : "CASE WHEN wallet.status = @deleted THEN @deleted ELSE excluded.status END";
        return write.ExecuteAsync($"""
            INSERT INTO wallet (payment_token_id, user_id, brand, masked_card, expiry, status, mit_allowed, binding_out_trade_no, created_at, updated_at, attention)
            VALUES (@PaymentTokenId, @UserId, @Brand, @MaskedCard, @Expiry, @Status, @MitAllowed, @BindingOutTradeNo, @UpdatedAt, @UpdatedAt, @Attention)
            ON CONFLICT (payment_token_id) DO UPDATE SET
                brand = COALESCE(excluded.brand, wallet.brand),
                masked_card = COALESCE(excluded.masked_card, wallet.masked_card),
                expiry = COALESCE(excluded.expiry, wallet.expiry),
                status = {status},
                mit_allowed = {database.Greatest("wallet.mit_allowed", "excluded.mit_allowed")},
                binding_out_trade_no = COALESCE(wallet.binding_out_trade_no, excluded.binding_out_trade_no),
                attention = COALESCE(excluded.attention, wallet.attention),
                updated_at = excluded.updated_at;
            """, new
        {
            entry.PaymentTokenId, entry.UserId, entry.Brand, entry.MaskedCard, entry.Expiry, entry.Status, entry.MitAllowed, entry.BindingOutTradeNo, entry.UpdatedAt, entry.Attention,
            deleted = TokenStatuses.Deleted,
        }, cancellationToken);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
