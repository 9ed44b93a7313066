namespace TokenPay.Gateway.Storage;

/// <summary>An order row. Amounts are whole minor units; times are Unix milliseconds (UTC).</summary>
internal sealed record OrderRecord
{
    public long Id { get; init; }
    public required string TradeToken { get; init; }
    public required string MerchantNo { get; init; }
    public required string AppId { get; init; }
    public required string OutTradeNo { get; init; }
    public required string Integrate { get; init; }
    public required string Subject { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public required string Country { get; init; }
    public required string UserId { get; init; }
    public string? Reference { get; init; }
    public string? Language { get; init; }
    public string? FrontCallbackUrl { get; init; }
    public string? NotifyUrl { get; init; }
    public required string Status { get; init; }
    public string? ResultCode { get; init; }
    public string? ResultMsg { get; init; }
    public required long CreatedAt { get; init; }
    public required long ExpiresAt { get; init; }
    public long? CompletedAt { get; init; }
    public long? CardId { get; init; }
    public string? PaymentTokenId { get; init; }
    public bool TokenForFutureUse { get; init; }
    public bool MerchantInitiated { get; init; }
    public string? MitType { get; init; }
    public string? ChallengeId { get; init; }
    public string? AcquirerReference { get; init; }

    /// <summary>Display data of the card used, joined from the vault (never the PAN).</summary>
    public CardDisplay? Card { get; init; }
}

/// <summary>What may be shown of a vaulted card.</summary>
internal sealed record CardDisplay(string Brand, string Masked, string? HolderMasked, string? IssuerCountry);

/// <summary>A vaulted card: the PAN only as AES-GCM ciphertext, plus what may be shown and the keyed fingerprint.</summary>
internal sealed record StoredCard
{
    public long Id { get; init; }
    public required string KeyId { get; init; }
    public required byte[] Nonce { get; init; }
    public required byte[] Ciphertext { get; init; }
    public required byte[] Tag { get; init; }
    public required string Fingerprint { get; init; }
    public required string Brand { get; init; }
    public required string Masked { get; init; }
    public string? HolderMasked { get; init; }
    public required int ExpiryMonth { get; init; }
    public required int ExpiryYear { get; init; }
}

/// <summary>A payment token row with the vaulted card it stands for.</summary>
internal sealed record TokenRecord
{
    public long Id { get; init; }
    public required string PaymentTokenId { get; init; }
    public required string MerchantNo { get; init; }
    public required string UserId { get; init; }
    public required long CardId { get; init; }
    public required string Status { get; init; }
    public string? MitType { get; init; }

    /// <summary>First instant after the card's expiry month (exclusive end of validity).</summary>
    public required long ExpiresAt { get; init; }

    public required long CreatedAt { get; init; }
    public required StoredCard Card { get; init; }
}

/// <summary>An order's move from PENDING to a terminal state, with the token a successful binding creates.</summary>
internal sealed record OrderCompletion
{
    public required long OrderId { get; init; }
    public required string Status { get; init; }
    public string? ResultCode { get; init; }
    public string? ResultMsg { get; init; }
    public required long CompletedAt { get; init; }
    public string? AcquirerReference { get; init; }

    /// <summary>Set when a SUCCESS binds the card: the token to create, or to reuse if the user already has one for this card.</summary>
    public NewToken? Bind { get; init; }
}

internal sealed record NewToken(string PaymentTokenId, string MerchantNo, string UserId, long CardId, string Fingerprint, string? MitType, long ExpiresAt, long CreatedAt);

/// <summary>Ids the database gave a newly inserted order and its vaulted card.</summary>
internal readonly record struct InsertedOrder(long OrderId, long? CardId);
