using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>The merchant service's schema and stores (the same storage design as the gateway's).</summary>
internal static class MerchantStorage
{
    public const string Section = "Merchant:Storage";

    // Any fixed number other than the gateway's: the advisory lock of the merchant schema's migrations.
    public static readonly Schema Schema = Schema.ForBothEngines("merchant", MerchantSchema.Versions, lockId: 0x546F6B656E4D6572);

    /// <summary>Opens the configured database, applies its migrations, and registers it with one store per role.</summary>
    public static async Task AddMerchantStorageAsync(this IServiceCollection services, StorageOptions storage, CancellationToken cancellationToken)
    {
        await services.AddMigratedDatabaseAsync(storage, Schema, Section, cancellationToken);
        services.AddSingleton<RetryLedger>();
        services.AddSingleton<PaymentStore>();
        services.AddSingleton<WalletStore>();
        services.AddSingleton<RefundLedger>();
        services.AddSingleton<DisputeLedger>();
        services.AddSingleton<NotificationInbox>();
    }
}

/// <summary>The pieces of the operator's list queries: only the conditions a filter sets, and the newest-first page mark.</summary>
internal static class Listing
{
    public static string Where(params IEnumerable<string?> conditions) =>
        conditions.OfType<string>().ToList() is { Count: > 0 } set ? " WHERE " + string.Join(" AND ", set) : "";

    /// <summary>Rows older than the mark (<c>@olderAt</c>, <c>@olderKey</c>) in the order <c>{createdAt} DESC, {key} DESC</c>; null without a mark.</summary>
    public static string? OlderThan(PageMark? mark, string createdAt, string key) =>
        mark is null ? null : $"({createdAt} < @olderAt OR ({createdAt} = @olderAt AND {key} < @olderKey))";
}
