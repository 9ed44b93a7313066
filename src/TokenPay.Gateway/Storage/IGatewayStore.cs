namespace TokenPay.Gateway.Storage;

/// <summary>
/// The one storage seam of the gateway. Every write that must be atomic is one method here, so each
/// database implements it as one transaction; ownership (merchant, user) is checked inside the query.
/// </summary>
internal interface IGatewayStore
{
    Task MigrateAsync(CancellationToken cancellationToken);

    Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken);

    /// <summary>Returns the stored value of a setting, storing <paramref name="valueIfAbsent"/> first if there is none (first writer wins).</summary>
    Task<string> GetOrAddSettingAsync(string name, string valueIfAbsent, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts a new PENDING order, its vaulted card when given, and spends the Drop-in payment token when
    /// given, in one transaction. On a duplicate outTradeNo or a spent token nothing is written.
    /// </summary>
    Task<InsertResult> TryInsertOrderAsync(OrderRecord order, StoredCard? card, string? spendDropinToken, CancellationToken cancellationToken);

    Task<OrderRecord?> FindOrderByCashierAsync(string cashierId, CancellationToken cancellationToken);

    /// <summary>
    /// Vaults the card entered on a cashier page and attaches it to the order (now being sent to the acquirer),
    /// once; null if the order already has a card or is no longer PENDING.
    /// </summary>
    Task<long?> AttachCardAsync(long orderId, StoredCard card, long now, CancellationToken cancellationToken);

    Task InsertDropinSessionAsync(DropinSession session, CancellationToken cancellationToken);

    Task<DropinSession?> FindDropinSessionAsync(string sessionKey, CancellationToken cancellationToken);

    /// <summary>Vaults a card entered in the Drop-in component and issues its one-time payment token, in one transaction.</summary>
    Task InsertDropinTokenAsync(string paymentToken, string sessionKey, StoredCard card, long createdAt, long expiresAt, CancellationToken cancellationToken);

    Task<DropinToken?> FindDropinTokenAsync(string paymentToken, CancellationToken cancellationToken);

    Task<OrderRecord?> FindOrderAsync(string merchantNo, string outTradeNo, CancellationToken cancellationToken);

    Task<OrderRecord?> FindOrderByChallengeAsync(string challengeId, CancellationToken cancellationToken);

    /// <summary>Attaches a 3DS challenge to a PENDING order, which now waits for the customer.</summary>
    Task SetChallengeAsync(long orderId, string challengeId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a challenge used; true only for the one caller that claimed it while its order was PENDING and
    /// unexpired. With <paramref name="authorizeNext"/> the order is marked as being sent to the acquirer.
    /// </summary>
    Task<bool> ClaimChallengeAsync(string challengeId, long now, bool authorizeNext, CancellationToken cancellationToken);

    /// <summary>Records that the acquirer is still deciding a PENDING order (asked again after <c>RecoverAfter</c>).</summary>
    Task MarkAcquirerPendingAsync(long orderId, long now, CancellationToken cancellationToken);

    /// <summary>PENDING orders at the acquirer (sent, or still being decided) last sent before <paramref name="sentBefore"/>, oldest first.</summary>
    Task<IReadOnlyList<OrderRecord>> FindOrdersToRecoverAsync(long sentBefore, int batchSize, CancellationToken cancellationToken);

    /// <summary>True while an order on this token, sent after <paramref name="sentAfter"/>, waits for the acquirer's answer.</summary>
    Task<bool> HasTokenOrderBeingAuthorizedAsync(string merchantNo, string paymentTokenId, long sentAfter, CancellationToken cancellationToken);

    /// <summary>The acquirer simulator's durable memory: its decision for a trade token (the latest one wins).</summary>
    Task RecordAcquirerDecisionAsync(string tradeToken, Acquiring.AuthorizationOutcome outcome, long decidedAt, CancellationToken cancellationToken);

    Task<Acquiring.AuthorizationOutcome?> FindAcquirerDecisionAsync(string tradeToken, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a PENDING order to its terminal state (and binds its token) in one transaction. Only PENDING
    /// orders move (docs/protocol.md 3); an order another path already finished is left as it is and not applied.
    /// </summary>
    Task<CompletionResult> CompleteOrderAsync(OrderCompletion completion, CancellationToken cancellationToken);

    /// <summary>PENDING orders whose expiry has passed, oldest first.</summary>
    Task<IReadOnlyList<OrderRecord>> FindExpiredPendingOrdersAsync(long now, int batchSize, CancellationToken cancellationToken);

    Task<StoredCard?> GetCardAsync(long cardId, CancellationToken cancellationToken);

    /// <summary>A token of this merchant, whichever user it belongs to (the caller decides what a mismatch means).</summary>
    Task<TokenRecord?> FindTokenAsync(string merchantNo, string paymentTokenId, CancellationToken cancellationToken);

    Task<IReadOnlyList<TokenRecord>> ListTokensAsync(string merchantNo, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="batchSize"/> due notifications to <paramref name="owner"/> until
    /// <paramref name="leaseUntil"/>. A row leased to one owner is never leased to another before the lease
    /// expires, so dispatchers sharing a database do not send the same attempt twice.
    /// </summary>
    Task<IReadOnlyList<DueNotification>> ClaimDueNotificationsAsync(string owner, long now, long leaseUntil, int batchSize, CancellationToken cancellationToken);

    /// <summary>The earliest time a pending notification falls due, or null when none is pending.</summary>
    Task<long?> NextNotificationDueAsync(CancellationToken cancellationToken);

    /// <summary>Records an attempt and schedules the next one (or ends the series) if <paramref name="owner"/> still holds the lease.</summary>
    Task<bool> RecordAttemptAsync(DeliveryAttempt attempt, string owner, CancellationToken cancellationToken);

    /// <summary>Starts a new delivery series for a notification with the same body; false when there is no such notification.</summary>
    Task<bool> ResendNotificationAsync(long notificationId, long now, CancellationToken cancellationToken);

    Task<IReadOnlyList<NotificationSummary>> ListNotificationsAsync(string? status, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<AttemptSummary>> ListAttemptsAsync(long notificationId, CancellationToken cancellationToken);

    /// <summary>Marks the user's token Deleted (idempotent); null when this merchant's user has no such token.</summary>
    Task<TokenRecord?> DeleteTokenAsync(string merchantNo, string userId, string paymentTokenId, long now, CancellationToken cancellationToken);
}

/// <summary>Whether a completion moved the order, and the payment token the order ended up linked to.</summary>
internal readonly record struct CompletionResult(bool Applied, string? PaymentTokenId);
