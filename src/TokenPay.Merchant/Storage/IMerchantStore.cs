namespace TokenPay.Merchant.Storage;

/// <summary>
/// The merchant service's storage seam, like the gateway's: every state change is one method and one
/// transaction. <see cref="MerchantStore"/> is the SQLite implementation.
/// </summary>
internal interface IMerchantStore
{
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Records a payment before its request is sent; false when its order number or charge id is already known.</summary>
    Task<bool> TryCreatePaymentAsync(Payment payment, CancellationToken cancellationToken);

    Task<Payment?> FindPaymentAsync(string outTradeNo, CancellationToken cancellationToken);

    Task<Payment?> FindPaymentByChargeAsync(string chargeId, CancellationToken cancellationToken);

    /// <summary>Payments still CREATED or PENDING that were last touched before <paramref name="before"/>.</summary>
    Task<IReadOnlyList<Payment>> ListOpenPaymentsAsync(long before, CancellationToken cancellationToken);

    /// <summary>Applies what the gateway said about a payment; a final state is never changed. True when something changed.</summary>
    Task<bool> ApplyOrderAsync(OrderUpdate update, CancellationToken cancellationToken);

    /// <summary>
    /// Records a notification and applies it, in one transaction; false for a duplicate (already applied).
    /// </summary>
    Task<bool> ApplyNotificationAsync(string tradeToken, string status, string notifyType, string? outTradeNo, string body, OrderUpdate? order, WalletEntry? wallet, CancellationToken cancellationToken);

    /// <summary>Marks a payment the gateway refused (no order exists there).</summary>
    Task<bool> RefusePaymentAsync(string outTradeNo, string code, string message, CancellationToken cancellationToken);

    Task<IReadOnlyList<WalletEntry>> ListWalletAsync(string userId, CancellationToken cancellationToken);

    Task<WalletEntry?> FindWalletEntryAsync(string paymentTokenId, CancellationToken cancellationToken);

    /// <summary>Writes what the gateway's token inquiry says: it is the authority, so its status wins.</summary>
    Task UpsertWalletFromGatewayAsync(WalletEntry entry, CancellationToken cancellationToken);

    Task SetWalletStatusAsync(string paymentTokenId, string status, CancellationToken cancellationToken);

}
