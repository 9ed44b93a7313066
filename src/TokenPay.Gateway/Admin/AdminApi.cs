using System.Net;
using System.Net.ServerSentEvents;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Admin;

/// <summary>
/// Operator endpoints (the later dashboard uses them): notifications and their attempts, and re-sending.
/// Guarded by <c>Gateway:Admin:ApiKey</c> in the X-Admin-Key header; without a key, only the operator on this machine (see IsLocalOperator).
/// </summary>
internal static class AdminApi
{
    // The tag these operations always had in the OpenAPI document (it was this class's name): generated clients name their classes after it.
    private const string DocumentTag = "AdminEndpoints";

    /// <summary>The guarded <c>/admin</c> group, for the operator console to add its pages to.</summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(GuardAsync);
        admin.MapGet("/notifications", ListAsync).WithTags(DocumentTag);
        admin.MapGet("/notifications/{id:long}/attempts", AttemptsAsync).WithTags(DocumentTag);
        admin.MapPost("/notifications/{id:long}/resend", ResendAsync).WithTags(DocumentTag);
        admin.MapGet("/events", FollowEvents).WithTags(DocumentTag);
        admin.MapGet("/log", (GatewayEvents events, long? after) => TypedResults.Json(events.Since(after ?? 0)));
        return admin;
    }

    // Server-sent events: the kept log, then live; a reconnecting reader sends Last-Event-ID (or ?after=) and misses nothing kept.
    // Last-Event-ID wins: a browser reconnects to the same URL, whose ?after= is where the page started, and would get its events twice.
    private static ServerSentEventsResult<GatewayEvent> FollowEvents(HttpRequest request, GatewayEvents events, TimeProvider clock, long? after, CancellationToken cancellationToken)
    {
        var from = long.TryParse(request.Headers["Last-Event-ID"].ToString(), out var last) ? last : after ?? 0;
        return TypedResults.ServerSentEvents(StreamAsync(events, clock, from, cancellationToken));
    }

    /// <summary>
    /// The event log as server-sent events after <paramref name="afterId"/>. A first <c>ready</c> event (id 0, not
    /// kept) sends the headers at once, so a reader knows it is connected before anything happens.
    /// </summary>
    public static async IAsyncEnumerable<SseItem<GatewayEvent>> StreamAsync(GatewayEvents events, TimeProvider clock, long afterId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new(new GatewayEvent(0, clock.GetUtcNow(), "ready", "Following the event log.", null), "ready");
        await foreach (var entry in events.FollowAsync(afterId, cancellationToken))
        {
            yield return new(entry, entry.Kind) { EventId = entry.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }

    private static async Task<JsonHttpResult<IReadOnlyList<NotificationSummary>>> ListAsync(NotificationOutbox outbox, string? status, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Json(await outbox.ListAsync(status, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    // JSON results with their status rather than Accepted/NotFound: those would add responses to the OpenAPI document.
    // A notification not attempted yet has no attempts either: only an unknown id is "not found".
    private static async Task<Results<JsonHttpResult<IReadOnlyList<AttemptSummary>>, JsonHttpResult<AdminError>>> AttemptsAsync(NotificationOutbox outbox, long id, CancellationToken cancellationToken) =>
        await outbox.ExistsAsync(id, cancellationToken)
            ? TypedResults.Json(await outbox.ListAttemptsAsync(id, cancellationToken))
            : TypedResults.Json(new AdminError($"No notification {id}."), statusCode: StatusCodes.Status404NotFound);

    private static async Task<Results<JsonHttpResult<Resent>, JsonHttpResult<AdminError>>> ResendAsync(NotificationResender resender, long id, CancellationToken cancellationToken) =>
        await resender.ResendAsync(id, cancellationToken)
            ? TypedResults.Json(new Resent(id, NotificationStatuses.Pending), statusCode: StatusCodes.Status202Accepted)
            : TypedResults.Json(new AdminError($"No notification {id}."), statusCode: StatusCodes.Status404NotFound);

    /// <summary>Lets the request through only for an operator (also guards <c>/sandbox</c>).</summary>
    public static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.Admin.ApiKey;
        var allowed = string.IsNullOrEmpty(key)
            ? IsLocalOperator(http.Request, http.Connection.RemoteIpAddress)
            : CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(http.Request.Headers["X-Admin-Key"].ToString())), SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return allowed ? await next(context) : TypedResults.Json(new AdminError("Not allowed: send X-Admin-Key, or call from this machine without a browser's cross-site request."), statusCode: StatusCodes.Status403Forbidden);
    }

    /// <summary>
    /// Without a key, only someone on this machine: a loopback connection to a loopback host name (a DNS-rebound
    /// name is not), and no browser request from another origin (a page in a local browser is not the operator).
    /// </summary>
    private static bool IsLocalOperator(HttpRequest request, IPAddress? remote)
    {
        if (remote is null || !IPAddress.IsLoopback(remote) || !PublicLinks.IsLoopbackHost(request.Host))
        {
            return false;
        }

        // Browsers that send Sec-Fetch-Site say where the request comes from (pages under no-referrer send Origin: null);
        // for the others, Origin must be this gateway's own.
        if (request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site)
        {
            return site is "same-origin" or "none";
        }

        return request.Headers.Origin.ToString() is not { Length: > 0 } origin
            || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private sealed record Resent(long Id, string Status);

    private sealed record AdminError(string Error);
}
