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

    /// <summary>The secret of a Hosted_Checkout order's cashier link.</summary>
    public string? CashierId { get; init; }

    /// <summary>Display data of the card used, joined from the vault (never the PAN).</summary>
    public CardDisplay? Card { get; init; }

    /// <summary>Where the order stands with the acquirer while PENDING (<see cref="AcquirerStates"/>); null when it waits for the customer or is final.</summary>
    public string? AcquirerState { get; init; }

    /// <summary>When the order was last sent to (or last asked of) the acquirer.</summary>
    public long? SentAt { get; init; }

    /// <summary>What the order's refunds that have not failed take back, in minor units.</summary>
    public long RefundedMinor { get; init; }

    /// <summary>What the order's open dispute cases freeze, in minor units (docs/disputes.md).</summary>
    public long DisputedMinor { get; init; }

    /// <summary>What the order's lost dispute cases took back, in minor units.</summary>
    public long ChargedBackMinor { get; init; }

    /// <summary>What may still be refunded or disputed: the amount less refunds, frozen and charged-back amounts.</summary>
    public long LeftMinor => AmountMinor - RefundedMinor - DisputedMinor - ChargedBackMinor;

    /// <summary>The acquirer the order was sent to (<c>Gateway:Acquirers</c>); null for orders older than routing.</summary>
    public string? Acquirer { get; init; }

    /// <summary>The network's id of the approved transaction; a card-storing order's is kept with its token.</summary>
    public string? NetworkTransactionId { get; init; }

    /// <summary>A decline's network advice: category (1-3) and merchant advice code.</summary>
    public int? AdviceCategory { get; init; }

    public string? MerchantAdviceCode { get; init; }
}

/// <summary>
/// A PENDING order's standing with the acquirer. SENDING: an authorization was requested and its answer not
/// yet recorded (a crash leaves this, and crash recovery asks the acquirer). PENDING: the acquirer answered
/// that it is still deciding.
/// </summary>
internal static class AcquirerStates
{
    public const string Sending = "SENDING";
    public const string Pending = "PENDING";
}

/// <summary>What may be shown of a vaulted card.</summary>
internal sealed record CardDisplay(string Brand, string Masked, string? HolderMasked)
{
    public static CardDisplay From(StoredCard card) => new(card.Brand, card.Masked, card.HolderMasked);
}

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

    /// <summary>The country of the order that saved the card (null for tokens saved before it was kept).</summary>
    public string? Country { get; init; }

    /// <summary>The network transaction id of the customer-initiated transaction that stored the card; MITs on the token carry it.</summary>
    public string? NetworkTransactionId { get; init; }

    /// <summary>Saved before the gateway kept network transaction ids (<see cref="StoredCredential.Legacy"/>).</summary>
    public bool LegacyCredential { get; init; }

    /// <summary>The account updater's last change to the card (<see cref="CardUpdates"/>), and when.</summary>
    public string? CardUpdate { get; init; }

    public long? CardUpdatedAt { get; init; }
}

/// <summary>What the account updater changed about the card behind a token, as stored and notified.</summary>
internal static class CardUpdates
{
    public const string NewExpiry = "NEW_EXPIRY";
    public const string NewNumber = "NEW_NUMBER";
    public const string Closed = "CLOSED";
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
    public string? NetworkTransactionId { get; init; }
    public int? AdviceCategory { get; init; }
    public string? MerchantAdviceCode { get; init; }

    /// <summary>Set when a SUCCESS binds the card: the token to create, or to reuse if the user already has one for this card.</summary>
    public NewToken? Bind { get; init; }

    /// <summary>
    /// The payment token the order is linked to once complete, which its notifications name: the order's own, or
    /// the one <see cref="Bind"/> ends up with as read before the write. Nothing is written when the transaction
    /// finds otherwise (<see cref="CompletionOutcome.TokenMoved"/>).
    /// </summary>
    public string? PaymentTokenId { get; init; }

    /// <summary>Outbox rows written in the same transaction (none when the merchant has no notify URL).</summary>
    public IReadOnlyList<NotificationDraft> Notifications { get; init; } = [];
}

internal sealed record NewToken(string PaymentTokenId, string MerchantNo, string UserId, long CardId, string Fingerprint, string? MitType, long ExpiresAt, long CreatedAt, string Country, string? NetworkTransactionId);

internal enum InsertOutcome
{
    Inserted,

    /// <summary>The merchant already has an order with that outTradeNo (case-insensitive).</summary>
    DuplicateOutTradeNo,

    /// <summary>The Drop-in payment token was already used or has expired.</summary>
    DropinTokenSpent,

    /// <summary>The generated trade token is already taken (a random collision): nothing was written; draw another.</summary>
    TradeTokenTaken,

    /// <summary>The payment token was removed or expired by the time the order was written: nothing was written.</summary>
    PaymentTokenUnusable,
}

/// <summary>What inserting an order did, and the ids the database gave the order and its vaulted card.</summary>
internal readonly record struct InsertResult(InsertOutcome Outcome, long OrderId = 0, long? CardId = null);

/// <summary>A Drop-in session: who the component's card entry is for.</summary>
internal sealed record DropinSession
{
    public required string SessionKey { get; init; }
    public required string ClientKey { get; init; }
    public required string MerchantNo { get; init; }
    public required string AppId { get; init; }
    public required string UserId { get; init; }
    public required string Currency { get; init; }
    public required string Country { get; init; }
    public long? AmountMinor { get; init; }
    public string? MitType { get; init; }
    public required bool TokenForFutureUse { get; init; }
    public required long CreatedAt { get; init; }
    public required long ExpiresAt { get; init; }
}

/// <summary>A one-time Drop-in payment token with its session and sealed card.</summary>
internal sealed record DropinToken(string PaymentToken, DropinSession Session, long CardId, long? UsedAt, long ExpiresAt);

/// <summary>A notification to queue in the transaction of the change it reports, its body already built (it is signed when sent).</summary>
internal sealed record NotificationDraft(string NotifyType, string Url, byte[] Body);

/// <summary>
/// What a change to a token owes the merchant: the TOKENIZATION notification made from the token as read before the
/// change (null when the merchant takes none), queued under the order that saved the card.
/// </summary>
internal sealed record TokenChangeNotice(long BindingOrderId, NotificationDraft? Draft)
{
    public static readonly TokenChangeNotice None = new(0, null);
}

/// <summary>A notification claimed for delivery under a lease.</summary>
internal sealed record DueNotification
{
    public required long Id { get; init; }
    public required string Url { get; init; }
    public required byte[] Body { get; init; }
    public required int ScheduleIndex { get; init; }
    public required int Attempts { get; init; }
    public long? FirstAttemptAt { get; init; }
    public required string NotifyType { get; init; }
    public required string MerchantNo { get; init; }

    /// <summary>The order's, for the dashboard and the sandbox's rules.</summary>
    public required string OutTradeNo { get; init; }
    public required string UserId { get; init; }
}

/// <summary>The outcome of one delivery attempt and what follows from it.</summary>
internal sealed record DeliveryAttempt
{
    public required long NotificationId { get; init; }
    public required long StartedAt { get; init; }
    public int? HttpStatus { get; init; }
    public required long LatencyMs { get; init; }
    public string? ResponseExcerpt { get; init; }
    public string? Error { get; init; }
    public required bool Acknowledged { get; init; }

    /// <summary>When the series started (the first attempt's start): retry offsets count from here.</summary>
    public required long FirstAttemptAt { get; init; }

    /// <summary>Next attempt time; null when this was the last permitted attempt.</summary>
    public long? NextAttemptAt { get; init; }
}

/// <summary>A notification as an operator sees it.</summary>
internal sealed record NotificationSummary
{
    public required long Id { get; init; }
    public required string OutTradeNo { get; init; }
    public required string NotifyType { get; init; }
    public required string Url { get; init; }
    public required string Status { get; init; }
    public required int Attempts { get; init; }
    public required long CreatedAt { get; init; }
    public long? NextAttemptAt { get; init; }
    public long? DeliveredAt { get; init; }
}

internal sealed record AttemptSummary
{
    public required int Attempt { get; init; }
    public required long StartedAt { get; init; }
    public int? HttpStatus { get; init; }
    public required long LatencyMs { get; init; }
    public string? ResponseExcerpt { get; init; }
    public string? Error { get; init; }
}

internal static class NotificationStatuses
{
    public const string Pending = "Pending";
    public const string Delivered = "Delivered";
    public const string Failed = "Failed";
}

/// <summary>What completing an order did.</summary>
internal enum CompletionOutcome
{
    Applied,

    /// <summary>Another path finished the order first: terminal states never change; nothing was written.</summary>
    AlreadyFinal,

    /// <summary>
    /// The order would end up linked to another token than <see cref="OrderCompletion.PaymentTokenId"/> (another
    /// binding of the same card committed since it was read): nothing was written; read again and rebuild.
    /// </summary>
    TokenMoved,
}

/// <summary>A refund row, with the refunded order's numbers. Amounts in minor units; times Unix ms.</summary>
internal sealed record RefundRecord
{
    public long Id { get; init; }
    public required string RefundTradeNo { get; init; }
    public required string MerchantNo { get; init; }
    public required string AppId { get; init; }
    public required string OutRefundNo { get; init; }
    public required long OrderId { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public string? Comments { get; init; }
    public string? NotifyUrl { get; init; }

    /// <summary><see cref="Protocol.RefundStatuses"/>.</summary>
    public required string Status { get; init; }

    public string? ResultMsg { get; init; }
    public required long CreatedAt { get; init; }
    public long? CompletedAt { get; init; }

    /// <summary>When to ask the acquirer about a pending refund next; null once final.</summary>
    public long? CheckAt { get; init; }

    /// <summary>The refunded order's outTradeNo (joined).</summary>
    public string OutTradeNo { get; init; } = "";

    /// <summary>The refunded order's trade token (joined).</summary>
    public string TradeToken { get; init; } = "";

    /// <summary>The acquirer the refunded order went to (joined): its refund goes there too.</summary>
    public string? OrderAcquirer { get; init; }
}

internal enum RefundInsertOutcome
{
    Created,

    /// <summary>The merchant already has a refund with that outRefundNo (case-insensitive): nothing was written.</summary>
    DuplicateOutRefundNo,

    /// <summary>The order is no longer SUCCESS, or the amount exceeds what is left to refund: nothing was written.</summary>
    AmountExceeded,

    /// <summary>The generated refund number is taken (a random collision): nothing was written; draw another.</summary>
    RefundTradeNoTaken,
}

/// <summary>A pending refund's move to its final state, with the notification it owes (null when the merchant takes none).</summary>
internal sealed record RefundCompletion(long RefundId, string Status, string? ResultMsg, long CompletedAt, NotificationDraft? Notification);

/// <summary>A dispute case, with what its view shows of the disputed order (joined). Amounts in minor units; times Unix ms.</summary>
internal sealed record DisputeRecord
{
    public long Id { get; init; }

    /// <summary>The public case id (D + digits).</summary>
    public required string CaseId { get; init; }

    /// <summary>The acquirer that reported the case, and its id of it.</summary>
    public required string Acquirer { get; init; }

    public required string AcquirerCaseId { get; init; }
    public required long OrderId { get; init; }
    public required string MerchantNo { get; init; }
    public required string AppId { get; init; }
    public required string ReasonCategory { get; init; }
    public required string ReasonCode { get; init; }
    public required string ReasonMessage { get; init; }

    /// <summary>What the case froze on the order: the reported amount, capped at what was left.</summary>
    public required long AmountMinor { get; init; }

    public required long FeeMinor { get; init; }
    public required string Currency { get; init; }

    /// <summary><see cref="Protocol.Models.DisputeStatuses"/>.</summary>
    public required string Status { get; init; }

    public string? CaseResult { get; init; }

    /// <summary>yyyy-MM-dd.</summary>
    public required string RetrievalDate { get; init; }

    /// <summary>yyyy-MM-dd: the last day (UTC) the merchant may answer.</summary>
    public required string ExpirationDate { get; init; }

    public string? AnswerText { get; init; }

    /// <summary>The answer's evidence links, as a JSON array.</summary>
    public string? AnswerFiles { get; init; }

    public long? AnsweredAt { get; init; }

    /// <summary>When the answer reached the acquirer; null while it waits (the intake sends it again).</summary>
    public long? EvidenceForwardedAt { get; init; }

    public required long CreatedAt { get; init; }
    public required long UpdatedAt { get; init; }

    /// <summary>caseList's position: the number of the case's last change.</summary>
    public long ChangeSeq { get; init; }

    /// <summary>The disputed order, joined.</summary>
    public string OutTradeNo { get; init; } = "";

    public string TradeToken { get; init; } = "";
    public string? AcquirerReference { get; init; }
    public string UserId { get; init; } = "";
    public string? PaymentTokenId { get; init; }
    public long OrderAmountMinor { get; init; }
    public string Country { get; init; } = "";
    public string? Subject { get; init; }
    public long OrderCreatedAt { get; init; }
    public long? OrderCompletedAt { get; init; }

    /// <summary>The brand of the order's card (from the vault), when it had one.</summary>
    public string? Brand { get; init; }
}

/// <summary>What a case's change does to the order's money (docs/disputes.md, Money).</summary>
internal enum DisputeMoney
{
    /// <summary>Nothing moves (a timeline row only, or the answer).</summary>
    None,

    /// <summary>A new open case: freezes its amount.</summary>
    Freeze,

    /// <summary>A new case that arrives already lost: its amount is charged back at once.</summary>
    ChargeBack,

    /// <summary>An open case lost: the frozen amount is charged back.</summary>
    FrozenToChargedBack,

    /// <summary>An open case won or cancelled: the frozen amount is released.</summary>
    Release,
}

/// <summary>
/// One change of a case, written in one transaction: the case (inserted when <see cref="DisputeRecord.Id"/> is 0,
/// else moved from <see cref="ExpectedStatus"/>), its timeline row, the order's money and the notification.
/// </summary>
/// <param name="Case">The case as it stands after the change.</param>
/// <param name="ExpectedStatus">The status the stored case must still have (null for a new case).</param>
/// <param name="ReportId">The timeline row's id (unique: a repeated report is not applied again).</param>
/// <param name="Moves">False when the report is older than the case's state: only its timeline row is written.</param>
/// <param name="Notification">The CHARGEBACK notification of the status reached (null when the merchant takes none or nothing moves).</param>
internal sealed record DisputeChange(
    DisputeRecord Case,
    string? ExpectedStatus,
    string ReportId,
    string EventStatus,
    string? EventResult,
    long HappenedAt,
    bool Moves,
    DisputeMoney Money,
    NotificationDraft? Notification);

internal enum DisputeWriteOutcome
{
    Applied,

    /// <summary>The report (or the answer) was recorded before: nothing was written.</summary>
    Repeated,

    /// <summary>The case or the order's money changed since they were read (or the case number was taken): nothing was written; read again.</summary>
    Stale,
}
