using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace TokenPay.Gateway.Hosting;

/// <summary>
/// The gateway's OpenAPI document (<c>/openapi/gateway.json</c>) and its browsable reference (<c>/docs</c>).
/// The API reads signed envelopes itself, so each operation declares its envelope and answer types here.
/// </summary>
internal static class GatewayOpenApi
{
    public const string DocumentName = "gateway";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "TokenPay gateway",
                Version = "1",
                Description = "PayerMax's card API (signed JSON: the `sign` header is SHA256withRSA over the raw body; answers are signed by the platform) "
                    + "and the gateway's operator API under /admin. The contract in words: docs/protocol.md.",
            };
            return Task.CompletedTask;
        }));

    public static void MapGatewayOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        // Only what the reference needs, served from this machine: no CDN fonts, AI chat, MCP, deploy toolbar,
        // vendor client button or telemetry (a sandbox runs offline, and a payments API is not shared with a vendor).
        app.MapScalarApiReference("/docs", options => options.WithTitle("TokenPay gateway").WithOpenApiRoutePattern("/openapi/{documentName}.json").AddDocument(DocumentName)
            .DisableDefaultFonts().DisableAgent().DisableMcp().HideDeveloperTools().HideClientButton().DisableTelemetry());
    }
}
