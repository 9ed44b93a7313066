using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>The card vault's rows: sealed PANs with what may be shown. Cards are written inside the transaction of what uses them.</summary>
internal sealed class VaultStore(RelationalDatabase database)
{
    public Task<StoredCard?> GetCardAsync(long cardId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<StoredCard>("SELECT * FROM vault_cards WHERE id = @cardId;", new { cardId }, cancellationToken);

    /// <summary>Vaults a card in the caller's transaction; returns its id.</summary>
    public static Task<long> InsertCardAsync(IWriteScope write, StoredCard card, CancellationToken cancellationToken) =>
        write.ScalarAsync<long>("""
            INSERT INTO vault_cards (key_id, nonce, ciphertext, tag, fingerprint, brand, masked, holder_masked, expiry_month, expiry_year)
            VALUES (@KeyId, @Nonce, @Ciphertext, @Tag, @Fingerprint, @Brand, @Masked, @HolderMasked, @ExpiryMonth, @ExpiryYear) RETURNING id;
            """, card, cancellationToken);
}
