using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Cashier;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Disputes;
using TokenPay.Gateway.DropIn;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Refunds;
using TokenPay.Gateway.Sandbox;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.ThreeDS;
using TokenPay.Gateway.Tokens;
using TokenPay.Hosting;
using TokenPay.Storage;

namespace TokenPay.Gateway.Hosting;

/// <summary>The composition root's services: each folder's registration, in layer order, and the background work.</summary>
internal static class GatewayServices
{
    /// <summary>Migrates storage and loads the keys on the way; returns the keys, which the start-up log mentions.</summary>
    public static async Task<GatewaySecrets> AddGatewayServicesAsync(this IServiceCollection services, GatewayOptions options, GatewayOptionsValidator validator, CancellationToken cancellationToken)
    {
        var database = await services.AddGatewayStorageAsync(options.Storage, cancellationToken);
        var secrets = await GatewaySecrets.LoadAsync(options, new SettingsStore(database), cancellationToken);

        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>>(validator);

        services.TryAddSingleton(TimeProvider.System);
        services.AddGatewayCore(options.Merchants);
        // The console's sandbox forms bind the failure rules also when the sandbox is off (there are none then).
        services.AddSingleton<FaultRules>();
        services.AddSingleton<OperatorConsole.ConsoleStore>();
        services.AddSingleton(secrets.Vault);
        services.AddEnvelope(new PlatformSigner(secrets.PlatformKey));
        await services.AddAcquiringAsync(database, cancellationToken);
        services.AddNotifications(options.Notifications);
        // Scheduled work runs, at each moment the sandbox clock moves through, in the order registered here:
        // orders, refunds, disputes, the account updater, token expiry, then notifications.
        services.AddOrders().AddRefunds().AddDisputes().AddTokens().AddDropin().AddCashier().AddThreeDS();
        // The sandbox's dispute triggers read the gateway's case ids here (it registers a stand-in only when this is absent).
        services.AddSingleton<IDisputeCaseLookup, GatewayDisputeCases>();
        AddBackgroundWork(services, options.Notifications.Enabled);
        services.AddStorageHealthChecks();
        services.AddGatewayOpenApi();
        AddTelemetryExporters(services, options.Metrics, options.Tracing);
        return secrets;
    }

    private static void AddBackgroundWork(IServiceCollection services, bool deliverNotifications)
    {
        services.AddSingleton<IScheduledWork>(sp => sp.GetRequiredService<NotificationDispatcher>());
        if (deliverNotifications)
        {
            services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        }
    }

    // OpenTelemetry only when something is exported: metrics (Prometheus, OTLP) and spans (OTLP).
    private static void AddTelemetryExporters(IServiceCollection services, MetricsOptions metrics, TracingOptions tracing)
    {
        if (tracing.OtlpEndpoint is { Length: > 0 } tracesTo)
        {
            services.AddOpenTelemetry().WithTracing(builder => builder
                .AddSource(GatewayTracing.SourceName, "Microsoft.AspNetCore", "System.Net.Http")
                .AddOtlpExporter(exporter => exporter.Endpoint = new Uri(tracesTo)));
        }

        var otlp = metrics.OtlpEndpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        if (!metrics.Prometheus && otlp is null)
        {
            return;
        }

        services.AddOpenTelemetry().WithMetrics(builder =>
        {
            builder.AddMeter(GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
            if (metrics.Prometheus)
            {
                builder.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            }

            if (otlp is not null)
            {
                builder.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
            }
        });
    }
}
