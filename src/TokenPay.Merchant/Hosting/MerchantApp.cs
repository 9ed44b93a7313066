using Scalar.AspNetCore;
using TokenPay.Client;
using TokenPay.Hosting;
using TokenPay.Merchant.Notifications;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Shop;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Storage;

namespace TokenPay.Merchant.Hosting;

/// <summary>Builds the merchant service: storage (migrated), the PayerMax client, services, API, notify endpoint and shop.</summary>
public static class MerchantApp
{
    /// <param name="configure">Lets a host (tests, the sandbox) add configuration or replace services such as the clock.</param>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Defaults any configuration overrides: a failed start (a busy port, a missing setting) is explained by
        // Program in one sentence, not by the host's "Hosting failed to start" stack trace (Critical still logs a
        // background service that stops the host).
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical" },
        });
        configure?.Invoke(builder);
        // The shop redirects browsers to the gateway's 3DS and cashier links, which are secrets: the framework's
        // request and redirect logs (which print URLs) keep to warnings and errors.
        foreach (var category in (string[])["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Http.Result"])
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
        var options = builder.Configuration.GetSection(MerchantOptions.Section).Get<MerchantOptions>() ?? new MerchantOptions();
        Validate(options);

        var services = builder.Services;
        services.Configure<MerchantOptions>(builder.Configuration.GetSection(MerchantOptions.Section));
        services.AddPayerMaxClient(builder.Configuration.GetSection(PayerMaxClientOptions.Section));
        await services.AddMerchantStorageAsync(options.EffectiveStorage, cancellationToken);
        services.AddSingleton<WalletService>();
        services.AddSingleton<ChargeService>();
        services.AddSingleton<RefundService>();
        services.AddSingleton<ChargeBatch>();
        services.AddSingleton<CheckoutService>();
        services.AddSingleton<IPayerMaxNotificationHandler, MerchantNotificationHandler>();
        services.AddSingleton<Reconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<Reconciler>());
        services.AddSingleton<ChargeRetrier>();
        services.AddHostedService(sp => sp.GetRequiredService<ChargeRetrier>());
        // The sandbox clock runs these at each moment it moves through (TokenPay.Hosting.SandboxClock).
        services.AddSingleton<IScheduledWork>(sp => sp.GetRequiredService<Reconciler>());
        services.AddSingleton<IScheduledWork>(sp => sp.GetRequiredService<ChargeRetrier>());
        services.AddMerchantSecurity();
        services.AddStorageHealthChecks();
        services.AddOpenApi("merchant", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new Microsoft.OpenApi.OpenApiInfo
            {
                Title = "TokenPay merchant service",
                Version = "1",
                Description = "The operator API (every call sends X-Operator-Key: Merchant:Operator:ApiKey): MIT charges with smart retries, refunds, wallets, reconciliation.",
            };
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseJsonOnlyProblem();
        app.MapPayerMaxNotifications("/payermax/notify");
        app.MapMerchantApi();
        app.MapShop();
        app.MapOperatorPages();
        app.MapHealthEndpoints();
        app.MapOpenApi("/openapi/{documentName}.json");
        // Only local assets and no vendor buttons, as on the gateway's /docs (GatewayOpenApi).
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("TokenPay merchant service").WithOpenApiRoutePattern("/openapi/{documentName}.json").AddDocument("merchant")
            .DisableDefaultFonts().DisableAgent().DisableMcp().HideDeveloperTools().HideClientButton().DisableTelemetry());
        return app;
    }

    private static void Validate(MerchantOptions options)
    {
        var retries = options.SmartRetries;
        // A PeriodicTimer takes at most 2^32-2 ms (about 49.7 days).
        if (retries.PollInterval <= TimeSpan.Zero || retries.PollInterval > TimeSpan.FromDays(49))
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(MerchantOptions.Section, typeof(MerchantOptions), ["Merchant:SmartRetries:PollInterval must be positive and at most 49 days."]);
        }

        var schedule = retries.EffectiveSchedule;
        if (schedule[0] <= TimeSpan.Zero || schedule.Zip(schedule.Skip(1)).Any(pair => pair.Second <= pair.First))
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(MerchantOptions.Section, typeof(MerchantOptions), ["Merchant:SmartRetries:Schedule must be positive offsets in ascending order."]);
        }
    }
}
