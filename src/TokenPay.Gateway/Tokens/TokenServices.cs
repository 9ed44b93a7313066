using TokenPay.Gateway.Orders;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Tokens;

/// <summary>Saved cards: their operations, the account updater, expiry, and the saved-token source of order placement.</summary>
internal static class TokenServices
{
    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddSingleton<ICardSource, SavedTokenSource>();
        services.AddSingleton<TokenEndpoints>();
        services.AddSingleton<TokenApplicationEndpoints>();
        // The account updater, then token expiry (so at one moment a card it renewed is not expired); the updater
        // also answers payments' checks after a decline.
        services.AddScheduledWork<CardUpdater>(OrderServices.SweepInterval, runAtStart: true);
        services.AddSingleton<ICardChangeCheck>(sp => sp.GetRequiredService<CardUpdater>());
        services.AddScheduledWork<TokenExpiry>(OrderServices.SweepInterval, runAtStart: true);
        return services;
    }
}
