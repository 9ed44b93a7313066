using Microsoft.OpenApi;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Envelope;

/// <summary>How a feature maps its PayerMax operations: each one a POST on the operations group, whose outer filter is the <see cref="GatewayApi"/> road.</summary>
internal static class ApiRoutes
{
    /// <summary>Maps <paramref name="pattern"/> to an operation of the feature service <typeparamref name="TFeature"/>.</summary>
    public static RouteHandlerBuilder MapOperation<TFeature>(this IEndpointRouteBuilder api, string pattern, Func<TFeature, ApiOperation> operation)
        where TFeature : notnull
    {
        var handle = operation(api.ServiceProvider.GetRequiredService<TFeature>());
        return api.MapPost(pattern, GatewayApi.Operation(handle));
    }

    /// <summary>Every other path under the API base, the base itself and names with a dot included: a signed refusal.</summary>
    public static IEndpointRouteBuilder MapUnroutedApi(this IEndpointRouteBuilder api)
    {
        api.MapFallback("{**path}", api.ServiceProvider.GetRequiredService<GatewayApi>().RefuseUnroutedAsync);
        return api;
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
