using Microsoft.Extensions.DependencyInjection;

namespace TokenPay.Storage;

public static class StorageRegistration
{
    /// <summary>Opens the configured database, applies its migrations, and registers it for the service's stores.</summary>
    public static async Task<RelationalDatabase> AddMigratedDatabaseAsync(this IServiceCollection services, StorageOptions storage, Schema schema, string section, CancellationToken cancellationToken)
    {
        var database = await RelationalDatabase.OpenMigratedAsync(storage, schema, section, cancellationToken);

        // Registered through a factory so the container disposes it (closing the SQLite writer connection) at shutdown.
        services.AddSingleton(_ => database);
        return database;
    }
}
