using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>The merchant service's schema and stores (the same storage design as the gateway's).</summary>
internal static class MerchantStorage
{
    public const string Section = "Merchant:Storage";

    // Any fixed number other than the gateway's: the advisory lock of the merchant schema's migrations.
    public static readonly Schema Schema = new("merchant", MerchantMigrations.Sqlite, MerchantMigrations.Postgres, LockId: 0x546F6B656E4D6572);

    /// <summary>Opens the configured database, applies its migrations, and registers it with one store per role.</summary>
    public static async Task AddMerchantStorageAsync(this IServiceCollection services, StorageOptions storage, CancellationToken cancellationToken)
    {
        var database = await RelationalDatabase.OpenMigratedAsync(storage, Schema, Section, cancellationToken);

        // Registered through a factory so the container disposes it at shutdown.
        services.AddSingleton(_ => database);
        services.AddSingleton<RetryLedger>();
        services.AddSingleton<PaymentStore>();
        services.AddSingleton<WalletStore>();
        services.AddSingleton<RefundLedger>();
        services.AddSingleton<NotificationInbox>();
    }
}
