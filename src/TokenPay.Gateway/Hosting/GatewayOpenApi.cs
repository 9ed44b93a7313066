using Microsoft.OpenApi;
using Scalar.AspNetCore;
using TokenPay.Protocol.Models;

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

    /// <summary>Declares a PayerMax operation: the signed envelope it reads and the signed answer it gives.</summary>
    /// <remarks>
    /// The body is described by a transformer, not <c>Accepts</c>: that metadata also makes routing match on
    /// Content-Type, and a request without application/json must still reach the gateway's own checks.
    /// </remarks>
    public static RouteHandlerBuilder Describes<TData, TResult>(this RouteHandlerBuilder route, string summary) =>
        route.WithSummary(summary)
            .WithTags("PayerMax API")
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                // A named component, as Accepts would have made: clients generate one type per envelope.
                var name = $"RequestEnvelopeOf{typeof(TData).Name}";
                var document = context.Document!;
                document.Components ??= new OpenApiComponents();
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                if (!document.Components.Schemas.ContainsKey(name))
                {
                    document.Components.Schemas[name] = await context.GetOrCreateSchemaAsync(typeof(RequestEnvelope<TData>), null, cancellationToken);
                }

                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference(name, document) } },
                };
            })
            .Produces<ApiResponse<TResult>>(StatusCodes.Status200OK, "application/json");
}
