using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>The gateway's schema and stores, as the server and the operator verbs use them.</summary>
internal static class GatewayStorage
{
    public const string Section = "Gateway:Storage";

    // Any fixed number: the advisory lock that serializes the gateway's migrations across nodes.
    public static readonly Schema Schema = Schema.ForBothEngines("gateway", GatewaySchema.Versions, lockId: 0x546F6B656E506179);

    /// <summary>Opens the configured database, applies its migrations, and registers it with one store per role.</summary>
    public static async Task<RelationalDatabase> AddGatewayStorageAsync(this IServiceCollection services, StorageOptions storage, CancellationToken cancellationToken)
    {
        var database = await services.AddMigratedDatabaseAsync(storage, Schema, Section, cancellationToken);
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<VaultStore>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton<DropinStore>();
        services.AddSingleton<OrderStore>();
        services.AddSingleton<NotificationOutbox>();
        services.AddSingleton<RefundStore>();
        services.AddSingleton<DisputeStore>();
        return database;
    }
}
