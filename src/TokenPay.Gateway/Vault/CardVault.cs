using System.Security.Cryptography;
using System.Text;
using TokenPay.Acquiring;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Vault;

/// <summary>
/// The card vault (docs/protocol.md 8): PANs sealed with AES-256-GCM under the active key, each record naming
/// its key so keys can rotate; a keyed HMAC-SHA256 fingerprint finds the same card again without decrypting.
/// </summary>
internal sealed class CardVault
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly string _activeKeyId;
    private readonly byte[] _fingerprintKey;

    public CardVault(IReadOnlyDictionary<string, byte[]> keys, string activeKeyId, byte[] fingerprintKey)
    {
        if (!keys.ContainsKey(activeKeyId))
        {
            throw new InvalidOperationException($"Vault key '{activeKeyId}' is not configured.");
        }

        _keys = keys;
        _activeKeyId = activeKeyId;
        _fingerprintKey = fingerprintKey;
    }

    public string ActiveKeyId => _activeKeyId;

    /// <summary>Seals a card for storage. The CVV is not part of the record.</summary>
    public StoredCard Protect(PlainCard card)
    {
        var fingerprint = Fingerprint(card.Pan);
        var plaintext = Encoding.ASCII.GetBytes(card.Pan);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(_keys[_activeKeyId], TagBytes))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(fingerprint));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return new StoredCard
        {
            KeyId = _activeKeyId,
            Nonce = nonce,
            Ciphertext = ciphertext,
            Tag = tag,
            Fingerprint = fingerprint,
            Brand = card.Brand,
            Masked = Cards.Mask(card.Pan),
            HolderMasked = Cards.MaskName(card.HolderName),
            ExpiryMonth = card.ExpiryMonth,
            ExpiryYear = card.ExpiryYear,
        };
    }

    /// <summary>Opens a stored card for an authorization; the result has no CVV.</summary>
    public PlainCard Reveal(StoredCard card)
    {
        if (!_keys.TryGetValue(card.KeyId, out var key))
        {
            throw new InvalidOperationException($"Vault key '{card.KeyId}' needed for card {card.Id} is not configured.");
        }

        var plaintext = new byte[card.Ciphertext.Length];
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Decrypt(card.Nonce, card.Ciphertext, card.Tag, plaintext, AssociatedData(card.Fingerprint));
        }

        var pan = Encoding.ASCII.GetString(plaintext);
        CryptographicOperations.ZeroMemory(plaintext);
        return new PlainCard(pan, null, card.ExpiryMonth, card.ExpiryYear, Cvv: null);
    }

    /// <summary>Keyed hash of the PAN: equal for the same card, useless without the key.</summary>
    public string Fingerprint(string pan)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_fingerprintKey, Encoding.ASCII.GetBytes(pan), hash);
        return Convert.ToHexString(hash);
    }

    // Binds each ciphertext to its record's fingerprint, so sealed PANs cannot be swapped between rows.
    private static byte[] AssociatedData(string fingerprint) => Encoding.ASCII.GetBytes(fingerprint);
}
