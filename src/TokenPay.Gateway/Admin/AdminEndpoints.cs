using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TokenPay.Gateway.Hosting;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Admin;

/// <summary>
/// Operator endpoints (the later dashboard uses them): notifications and their attempts, and re-sending.
/// Guarded by <c>Gateway:Admin:ApiKey</c> in the X-Admin-Key header; without a key, loopback callers only.
/// </summary>
internal static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(GuardAsync);
        admin.MapGet("/notifications", ListAsync);
        admin.MapGet("/notifications/{id:long}/attempts", AttemptsAsync);
        admin.MapPost("/notifications/{id:long}/resend", ResendAsync);
    }

    private static async Task<IResult> ListAsync(IGatewayStore store, string? status, int? limit, CancellationToken cancellationToken) =>
        Results.Json(await store.ListNotificationsAsync(status, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    private static async Task<IResult> AttemptsAsync(IGatewayStore store, long id, CancellationToken cancellationToken) =>
        Results.Json(await store.ListAttemptsAsync(id, cancellationToken));

    private static async Task<IResult> ResendAsync(IGatewayStore store, NotificationSignal signal, TimeProvider clock, long id, CancellationToken cancellationToken)
    {
        if (!await store.ResendNotificationAsync(id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken))
        {
            return Results.NotFound(new { error = $"No notification {id}." });
        }

        signal.Notify();
        return Results.Accepted(value: new { id, status = NotificationStatuses.Pending });
    }

    private static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.Admin.ApiKey;
        var allowed = string.IsNullOrEmpty(key)
            ? http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            : CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(http.Request.Headers["X-Admin-Key"].ToString()), Encoding.UTF8.GetBytes(key));
        return allowed ? await next(context) : Results.StatusCode(StatusCodes.Status403Forbidden);
    }
}
