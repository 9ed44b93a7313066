using TokenPay.Acquiring.Simulator;
using TokenPay.Gateway.Admin;
using TokenPay.Gateway.Cashier;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Disputes;
using TokenPay.Gateway.DropIn;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.OperatorConsole;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Pages;
using TokenPay.Gateway.Refunds;
using TokenPay.Gateway.Sandbox;
using TokenPay.Gateway.Tokens;
using TokenPay.Hosting;
using TokenPay.Storage;

namespace TokenPay.Gateway.Hosting;

/// <summary>The composition root's routes: each feature maps its own, in this order (the OpenAPI document lists them so).</summary>
internal static class GatewayEndpoints
{
    public static void MapGatewayEndpoints(this WebApplication app, GatewayOptions options)
    {
        // The PayerMax operations in the order docs/protocol.md lists them, behind the signature gate (the
        // operations group's outer filter); then every other path under the API base, outside the gate.
        var root = app.MapGroup(GatewayApi.BasePath);
        var api = root.MapGroup("").AddEndpointFilter(app.Services.GetRequiredService<GatewayApi>());
        api.MapOrdersApi()
            .MapTokensApi()
            .MapDropinApi()
            .MapRefundsApi()
            .MapDisputesApi()
            .MapTokenApplicationsApi();
        root.MapUnroutedApi();
        app.MapAcquirerSimulator();
        app.MapCashierApi();
        app.MapPagesApi();
        app.MapDropinFrame();
        app.MapAdminApi().MapConsole();
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
        var platformPublicKey = app.Services.GetRequiredService<PlatformSigner>().PublicKeyBase64;
        app.MapGet("/platform-public-key", () => platformPublicKey);
    }
}
