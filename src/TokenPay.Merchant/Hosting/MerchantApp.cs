using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using TokenPay.Client;
using TokenPay.Hosting;
using TokenPay.Merchant.Disputes;
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
        KeepLinksOutOfFrameworkLogs(builder);
        await AddServicesAsync(builder, cancellationToken);
        var app = builder.Build();
        ConfigurePipeline(app);
        return app;
    }

    // The shop redirects browsers to the gateway's 3DS and cashier links, which are secrets: the framework's
    // request and redirect logs (which print URLs) keep to warnings and errors, whatever the host configured.
    private static void KeepLinksOutOfFrameworkLogs(WebApplicationBuilder builder)
    {
        foreach (var category in (string[])["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Http.Result"])
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
    }

    private static async Task AddServicesAsync(WebApplicationBuilder builder, CancellationToken cancellationToken)
    {
        var services = builder.Services;
        services.AddOptions<MerchantOptions>().BindConfiguration(MerchantOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MerchantOptions>, MerchantOptionsValidator>();
        services.AddPayerMaxClient(builder.Configuration.GetSection(PayerMaxClientOptions.Section));
        // The storage is opened and migrated before the container exists, so its settings are read here directly.
        var storage = (builder.Configuration.GetSection(MerchantOptions.Section).Get<MerchantOptions>() ?? new MerchantOptions()).EffectiveStorage;
        await services.AddMerchantStorageAsync(storage, cancellationToken);
        services.AddSingleton<WalletService>();
        services.AddSingleton<ChargeService>();
        services.AddSingleton<RefundService>();
        services.AddSingleton<ChargeBatch>();
        services.AddSingleton<CheckoutService>();
        services.AddSingleton<DisputeService>();
        services.AddSingleton<IPayerMaxNotificationHandler, MerchantNotificationHandler>();
        // Each on its interval; the sandbox clock runs them at each moment it moves through, in this order (TokenPay.Hosting.SandboxClock).
        services.AddScheduledWork<Reconciler>(sp => sp.GetRequiredService<IOptions<MerchantOptions>>().Value.ReconcileInterval);
        services.AddScheduledWork<ChargeRetrier>(sp => sp.GetRequiredService<IOptions<MerchantOptions>>().Value.SmartRetries.PollInterval);
        services.AddScheduledWork<DisputeSync>(sp => sp.GetRequiredService<IOptions<MerchantOptions>>().Value.DisputeSyncInterval);
        services.AddMerchantSecurity();
        services.AddStorageHealthChecks();
        services.AddOpenApi("merchant", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new Microsoft.OpenApi.OpenApiInfo
            {
                Title = "TokenPay merchant service",
                Version = "1",
                Description = "The operator API (every call sends X-Operator-Key: Merchant:Operator:ApiKey): MIT charges with smart retries, refunds, wallets, reconciliation, dispute cases.",
            };
            return Task.CompletedTask;
        }));
    }

    private static void ConfigurePipeline(WebApplication app)
    {
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
    }

    /// <summary>
    /// The wrong settings a start or a command was refused for, a sentence each (one line per section), or null for
    /// any other failure. The host reports two sections refused at once (Merchant and PayerMax) as one AggregateException.
    /// </summary>
    internal static string? WrongSettings(Exception exception) => exception switch
    {
        OptionsValidationException refused => refused.Message,
        AggregateException { InnerExceptions: var inner } when inner.All(e => e is OptionsValidationException) => string.Join(Environment.NewLine, inner.Select(e => e.Message)),
        _ => null,
    };
}
