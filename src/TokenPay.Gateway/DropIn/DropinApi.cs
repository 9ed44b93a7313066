using TokenPay.Gateway.Envelope;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.DropIn;

/// <summary>Drop-in's routes: its PayerMax operation on the API group, and the card frame the merchant's page embeds.</summary>
internal static class DropinApi
{
    public static IEndpointRouteBuilder MapDropinApi(this IEndpointRouteBuilder api)
    {
        api.MapOperation<DropinEndpoints>("/applyDropinSession", dropin => dropin.ApplySessionAsync)
            .Describes<ApplyDropinSessionRequest, ApplyDropinSessionResult>("A Drop-in session for the card component.");
        return api;
    }

    /// <summary>The frame's page and the address its card is posted to (dropin.js itself is an asset).</summary>
    public static IEndpointRouteBuilder MapDropinFrame(this IEndpointRouteBuilder app)
    {
        var dropin = app.ServiceProvider.GetRequiredService<DropinEndpoints>();
        app.MapGet("/dropin/v1/frame", dropin.FrameAsync);
        app.MapPost("/dropin/v1/tokens", (Delegate)dropin.IssueTokenAsync);
        return app;
    }
}
