using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenPay.Acquiring;
using TokenPay.Acquiring.Simulator;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Admin;
using TokenPay.Gateway.Cashier;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.DropIn;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.OperatorConsole;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Pages;
using TokenPay.Gateway.Refunds;
using TokenPay.Gateway.Sandbox;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.ThreeDS;
using TokenPay.Gateway.Tokens;
using TokenPay.Hosting;
using TokenPay.Protocol.Models;
using TokenPay.Storage;

namespace TokenPay.Gateway.Hosting;

/// <summary>Builds the gateway: configuration, storage (migrated), keys, services and routes.</summary>
public static partial class GatewayApp
{
    /// <param name="configure">Lets a host (tests, the sandbox) add configuration or replace services such as the clock.</param>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Defaults any configuration overrides: the per-request line is off until its category is enabled, and a
        // failed start (a busy port, a bad setting) is explained by Program in one sentence, not by the host's
        // "Hosting failed to start" stack trace (Critical still logs a background service that stops the host).
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:TokenPay.Gateway.Requests"] = "Warning",
                ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
            },
        });
        configure?.Invoke(builder);
        KeepLinkSecretsOutOfLogs(builder.Logging);

        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        Validate(options);
        var services = builder.Services;
        var database = await services.AddGatewayStorageAsync(options.Storage, cancellationToken);
        var secrets = await GatewaySecrets.LoadAsync(options, new SettingsStore(database), cancellationToken);

        services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GatewayEvents>();
        // The console's sandbox forms bind the failure rules also when the sandbox is off (there are none then).
        services.AddSingleton<FaultRules>();
        services.AddSingleton<OperatorConsole.ConsoleStore>();
        await services.AddAcquirerSimulatorAsync(database, cancellationToken);
        services.AddSingleton<AcquirerRouter>();
        services.AddSingleton<IAuthenticationCallback, AuthenticationCallback>();
        services.AddSingleton(secrets.Vault);
        services.AddSingleton(new PlatformSigner(secrets.PlatformKey));
        services.AddSingleton(new MerchantRegistry(options.Merchants));
        services.AddSingleton<IRequestTimeWindow, ConfiguredTimeWindow>();
        services.AddSingleton<SignatureGate>();
        services.AddSingleton<GatewayResponder>();
        services.AddSingleton<GatewayApi>();
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<PaymentProcessor>();
        services.AddSingleton<ICardSource, NewCardSource>();
        services.AddSingleton<ICardSource, SavedTokenSource>();
        services.AddSingleton<ICardSource, DropinCardSource>();
        services.AddSingleton<ICardSource, CashierCardSource>();
        services.AddSingleton<OrderPlacement>();
        services.AddSingleton<OrderEndpoints>();
        services.AddSingleton<TokenEndpoints>();
        services.AddSingleton<DropinEndpoints>();
        services.AddSingleton<TokenApplicationEndpoints>();
        services.AddSingleton<RefundProcessor>();
        services.AddSingleton<RefundEndpoints>();
        // The sandbox clock runs these at each moment it moves through, in this order.
        services.AddOrderScheduling().AddRefundScheduling().AddTokenScheduling();
        services.AddSingleton<IScheduledWork>(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<NotificationFactory>();
        services.AddSingleton<NotificationSignal>();
        services.AddSingleton(sp =>
        {
            var handler = new SocketsHttpHandler();
            NotificationSender.ConfigureHandler(handler, options.Notifications.AllowPrivateNetworks);
            return ActivatorUtilities.CreateInstance<NotificationSender>(sp, new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan });
        });
        services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<NotificationSender>());
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<NotificationResender>();
        services.AddStorageHealthChecks();
        services.AddGatewayOpenApi();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<OutboxBacklog>();
        AddTelemetryExporters(services, options.Metrics, options.Tracing);

        if (options.Notifications.Enabled)
        {
            services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        }

        if (options.Sandbox.Enabled)
        {
            services.AddGatewaySandbox();
        }

        var app = builder.Build();
        AcquirerRouter.Validate(app.Services, options.Acquirers);
        var backlog = app.Services.GetRequiredService<OutboxBacklog>();
        app.Services.GetRequiredService<GatewayMetrics>().ObserveOutbox(backlog.Read);
        var platformPublicKey = app.Services.GetRequiredService<PlatformSigner>().PublicKeyBase64;
        // Said once it listens: a port already taken must not be preceded by "ready".
        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app.Logger, platformPublicKey));
        if (secrets.PlatformKeyGenerated)
        {
            LogGeneratedPlatformKey(app.Logger);
        }

        if (secrets.VaultKeyGenerated)
        {
            LogGeneratedVaultKey(app.Logger);
        }

        // PayerMax's Go SDK joins base and API name; a base with a trailing slash gives "//".
        app.Use((http, next) =>
        {
            if (http.Request.Path.Value is { } path && path.Contains("//", StringComparison.Ordinal))
            {
                http.Request.Path = new PathString(RepeatedSlashes().Replace(path, "/"));
            }

            return next(http);
        });
        if (string.IsNullOrEmpty(options.PublicBaseUrl) && builder.Configuration["AllowedHosts"] is null or "" or "*")
        {
            // Links are then built from the Host header, so only loopback hosts may be served (a README quick start).
            var responder = app.Services.GetRequiredService<GatewayResponder>();
            app.Use((http, next) => PublicLinks.IsLoopbackHost(http.Request.Host)
                ? next(http)
                : responder.WriteAsync(http, StatusCodes.Status400BadRequest, ApiReply.Invalid("This gateway serves loopback hosts only: set Gateway:PublicBaseUrl (or AllowedHosts) to serve other hosts.")));
        }

        app.UseMiddleware<RequestLine>();
        app.UseRouting();

        var api = MapApi(app);
        app.MapAcquirerSimulator();
        app.MapCashier();
        app.MapAssets();
        app.Services.GetRequiredService<DropinEndpoints>().Map(app);
        app.MapAdmin().MapConsole();
        app.MapHealthEndpoints();
        app.MapGatewayOpenApi();
        if (options.Sandbox.Enabled)
        {
            app.MapSandbox(api);
        }

        if (options.Metrics.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
        // The key merchants verify responses and notifications with; public by nature.
        app.MapGet("/platform-public-key", () => platformPublicKey);
        return app;
    }

    // The operations' group, for filters inside the signature gate.
    private static RouteGroupBuilder MapApi(WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<GatewayApi>();
        var orders = app.Services.GetRequiredService<OrderEndpoints>();
        var tokens = app.Services.GetRequiredService<TokenEndpoints>();
        var dropin = app.Services.GetRequiredService<DropinEndpoints>();
        var refunds = app.Services.GetRequiredService<RefundEndpoints>();
        var applications = app.Services.GetRequiredService<TokenApplicationEndpoints>();
        var root = app.MapGroup(GatewayApi.BasePath);
        var api = root.MapGroup("").AddEndpointFilter(gateway);

        ApiOperation orderAndPay = orders.OrderAndPayAsync, orderQuery = orders.OrderQueryAsync;
        ApiOperation inquire = tokens.InquireAsync, remove = tokens.RemoveAsync, applyDropin = dropin.ApplySessionAsync;
        ApiOperation refund = refunds.RefundAsync, refundQuery = refunds.RefundQueryAsync;
        ApiOperation applyToken = applications.ApplyAsync, inquireApply = applications.InquireAsync;
        api.MapPost("/orderAndPay", GatewayApi.Operation(orderAndPay))
            .Describes<OrderAndPayRequest, OrderAndPayResult>("Pay by card, saved card (MIT or customer-present), hosted cashier or Drop-in token; optionally save the card.");
        api.MapPost("/orderQuery", GatewayApi.Operation(orderQuery))
            .Describes<OrderQueryRequest, OrderView>("An order by outTradeNo, with its card, token, decline and network advice.");
        api.MapPost("/inquirePaymentToken", GatewayApi.Operation(inquire))
            .Describes<InquirePaymentTokenRequest, InquirePaymentTokenResult>("A user's saved cards (tokenAcq: all, tokenMit: usable for MIT).");
        api.MapPost("/removePaymentToken", GatewayApi.Operation(remove))
            .Describes<RemovePaymentTokenRequest, RemovePaymentTokenResult>("Remove a saved card; it can no longer be charged.");
        api.MapPost("/applyDropinSession", GatewayApi.Operation(applyDropin))
            .Describes<ApplyDropinSessionRequest, ApplyDropinSessionResult>("A Drop-in session for the card component.");
        api.MapPost("/refund", GatewayApi.Operation(refund))
            .Describes<RefundRequest, RefundResult>("Refund a successful payment, in full or in parts.");
        api.MapPost("/refundQuery", GatewayApi.Operation(refundQuery))
            .Describes<RefundQueryRequest, RefundView>("A refund by outRefundNo or refundTradeNo.");
        api.MapPost("/applyPaymentToken", GatewayApi.Operation(applyToken))
            .Describes<ApplyPaymentTokenRequest, TokenApplicationResult>("Save a card without a payment (zero-amount verification).");
        api.MapPost("/InquireApplyRequest", GatewayApi.Operation(inquireApply))
            .Describes<InquireApplyRequestRequest, TokenApplicationResult>("Where a token application stands.");
        // Every other path under the API base, the base itself and names with a dot included.
        root.MapFallback("{**path}", gateway.RefuseUnroutedAsync);
        return api;
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

    private static void Validate(GatewayOptions options)
    {
        if (options.RequestTimeWindow <= TimeSpan.Zero)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), ["Gateway:RequestTimeWindow must be positive."]);
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), ["Gateway:MaxRequestBodyBytes must be between 1 KiB and 16 MiB."]);
        }

        foreach (var (key, otlp) in new[] { ("Gateway:Metrics:OtlpEndpoint", options.Metrics.OtlpEndpoint), ("Gateway:Tracing:OtlpEndpoint", options.Tracing.OtlpEndpoint) })
        {
            if (otlp is { Length: > 0 } && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
            {
                throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), [$"{key} must be an absolute URL."]);
            }
        }

        if (options.PublicBaseUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), ["Gateway:PublicBaseUrl must be an absolute URL."]);
        }

        if (options.Orders.AcquirerTimeout <= TimeSpan.Zero || options.Orders.RecoverAfter <= options.Orders.AcquirerTimeout)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), ["Gateway:Orders:AcquirerTimeout must be positive and shorter than Gateway:Orders:RecoverAfter."]);
        }

        var notifications = options.Notifications;
        var schedule = notifications.EffectiveSchedule;
        if (schedule[0] < TimeSpan.Zero || schedule.Zip(schedule.Skip(1)).Any(pair => pair.Second < pair.First))
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), ["Gateway:Notifications:Schedule must be non-negative offsets in ascending order."]);
        }

        if (notifications.Timeout <= TimeSpan.Zero || notifications.LeaseDuration <= notifications.Timeout)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), ["Gateway:Notifications:Timeout must be positive and shorter than LeaseDuration."]);
        }

        if (notifications.PollInterval <= TimeSpan.Zero || notifications.BatchSize < 1 || notifications.MaxConcurrency < 1)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), ["Gateway:Notifications:PollInterval, BatchSize and MaxConcurrency must be positive."]);
        }
    }

    /// <summary>
    /// The framework's request, routing and redirect logs print URLs, and the gateway's links are secrets (3DS
    /// challenge, cashier, Drop-in keys): those categories log warnings and errors only, whatever the configured
    /// level. Added after the host's configuration so it wins for these categories.
    /// </summary>
    private static void KeepLinkSecretsOutOfLogs(ILoggingBuilder logging)
    {
        foreach (var category in (string[])["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Http.Result", "Microsoft.AspNetCore.HttpLogging", "Microsoft.AspNetCore.Server.Kestrel.BadRequests"])
        {
            logging.AddFilter(category, LogLevel.Warning);
        }
    }

    [GeneratedRegex("/{2,}")]
    private static partial Regex RepeatedSlashes();

    [LoggerMessage(Level = LogLevel.Information, Message = "TokenPay gateway ready. Platform public key (base64 SPKI): {PublicKey}")]
    private static partial void LogStarted(ILogger logger, string publicKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Gateway:PlatformPrivateKey configured: using the key generated on first start and kept in the database.")]
    private static partial void LogGeneratedPlatformKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Gateway:Vault:Keys configured: card data is sealed with a key kept in the same database. Fine for local use only.")]
    private static partial void LogGeneratedVaultKey(ILogger logger);
}
