using System.Text.RegularExpressions;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Sandbox;

namespace TokenPay.Gateway.Hosting;

/// <summary>Builds the gateway: configuration, storage (migrated), keys, services and routes.</summary>
public static partial class GatewayApp
{
    /// <param name="configure">Lets a host (tests, the sandbox) add configuration or replace services such as the clock.</param>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        AddQuietDefaults(builder.Configuration);
        configure?.Invoke(builder);
        KeepLinkSecretsOutOfLogs(builder.Logging);

        // Storage, keys and the sandbox flag are needed before the host exists: this early read is checked by the
        // validator the host runs on start, so a bad setting is named in the same sentence either way.
        var validator = new GatewayOptionsValidator();
        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        validator.ThrowIfInvalid(options);
        var secrets = await builder.Services.AddGatewayServicesAsync(options, validator, cancellationToken);

        if (options.Sandbox.Enabled)
        {
            // After the others: the sandbox decorates and replaces services they registered.
            builder.Services.AddGatewaySandbox();
        }

        var app = builder.Build();
        AcquirerRouter.Validate(app.Services, options.Acquirers);
        var backlog = app.Services.GetRequiredService<OutboxBacklog>();
        app.Services.GetRequiredService<GatewayMetrics>().ObserveOutbox(backlog.Read);
        var platformPublicKey = app.Services.GetRequiredService<PlatformSigner>().PublicKeyBase64;
        // Said once it listens: a port already taken must not be preceded by "ready".
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.GatewayReady(platformPublicKey));
        if (secrets.PlatformKeyGenerated)
        {
            app.Logger.PlatformKeyGenerated();
        }

        if (secrets.VaultKeyGenerated)
        {
            app.Logger.VaultKeyGenerated();
        }

        UseRequestPipeline(app, servesAnyHost: !string.IsNullOrEmpty(options.PublicBaseUrl) || builder.Configuration["AllowedHosts"] is not (null or "" or "*"));
        app.MapGatewayEndpoints(options);
        return app;
    }

    /// <summary>
    /// Defaults any configuration overrides: the per-request line is off until its category is enabled, and a
    /// failed start (a busy port, a bad setting) is explained by Program in one sentence, not by the host's
    /// "Hosting failed to start" stack trace (Critical still logs a background service that stops the host).
    /// </summary>
    private static void AddQuietDefaults(ConfigurationManager configuration) =>
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:TokenPay.Gateway.Requests"] = "Warning",
                ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
            },
        });

    private static void UseRequestPipeline(WebApplication app, bool servesAnyHost)
    {
        // PayerMax's Go SDK joins base and API name; a base with a trailing slash gives "//".
        app.Use((http, next) =>
        {
            if (http.Request.Path.Value is { } path && path.Contains("//", StringComparison.Ordinal))
            {
                http.Request.Path = new PathString(RepeatedSlashes().Replace(path, "/"));
            }

            return next(http);
        });
        if (!servesAnyHost)
        {
            // Links are then built from the Host header, so only loopback hosts may be served (a README quick start).
            var responder = app.Services.GetRequiredService<GatewayResponder>();
            app.Use((http, next) => PublicLinks.IsLoopbackHost(http.Request.Host)
                ? next(http)
                : responder.WriteAsync(http, StatusCodes.Status400BadRequest, ApiReply.Invalid("This gateway serves loopback hosts only: set Gateway:PublicBaseUrl (or AllowedHosts) to serve other hosts.")));
        }

        app.UseMiddleware<RequestLine>();
        app.UseRouting();
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
}
