using System.Globalization;
using System.Text.Json;
using TokenPay.Gateway.Admin;
using TokenPay.Gateway.Core;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// The sandbox's operator API (only with <c>Gateway:Sandbox:Enabled</c>; guarded like <c>/admin</c>): the clock,
/// which moves forward and runs everything due on the way, the failure rules, and disputes on demand (docs/sandbox.md).
/// </summary>
internal static class SandboxApi
{
    /// <summary>The longest single move: a year (card expiry, retry limits and the account updater all fit).</summary>
    private static readonly TimeSpan LongestMove = TimeSpan.FromDays(366);

    public static void MapSandboxApi(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox").AddEndpointFilter(AdminApi.GuardAsync).ExcludeFromDescription();
        sandbox.MapGet("/clock", (SandboxClock clock) => Results.Json(ClockView(clock)));
        sandbox.MapPost("/clock", MoveClockAsync);
        sandbox.MapGet("/listen", Listen);
        sandbox.MapGet("/faults", (FaultRules rules) => Results.Json(rules.Active.Select(r => r.View())));
        sandbox.MapPost("/faults", AddFaultAsync);
        sandbox.MapPost("/triggers", DisputeTriggers.PostAsync);
        sandbox.MapDelete("/faults/{id}", (FaultRules rules, string id) => rules.Remove(id) ? Results.NoContent() : Results.NotFound(new { error = $"No fault rule {id}." }));
    }

    // The event log as server-sent events, forwarding every notification to forwardTo while connected.
    private static IResult Listen(GatewayEvents events, NotificationForwarding forwarding, TimeProvider clock, string? forwardTo, long? after, CancellationToken cancellationToken)
    {
        if (forwardTo is not null && NotificationForwarding.Check(forwardTo) is { } problem)
        {
            return Invalid(problem);
        }

        return TypedResults.ServerSentEvents(ForwardingAsync(AdminApi.StreamAsync(events, clock, after ?? 0, cancellationToken), forwarding, forwardTo));
    }

    private static async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<GatewayEvent>> ForwardingAsync(IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<GatewayEvent>> stream, NotificationForwarding forwarding, string? forwardTo)
    {
        using var registration = forwardTo is null ? null : forwarding.Add(forwardTo);
        await foreach (var item in stream)
        {
            yield return item;
        }
    }

    private static async Task<IResult> AddFaultAsync(HttpRequest request, FaultRules rules, CancellationToken cancellationToken)
    {
        using var body = new StreamReader(request.Body);
        var (rule, problem) = FaultRuleRequest.Read(await body.ReadToEndAsync(cancellationToken));
        return rule is null ? Invalid(problem!) : Results.Json(rules.Add(rule).View(), statusCode: StatusCodes.Status201Created);
    }

    private static object ClockView(SandboxClock clock) => new { now = clock.GetUtcNow(), offset = clock.Offset.ToString("c", CultureInfo.InvariantCulture) };

    private static async Task<IResult> MoveClockAsync(HttpRequest request, SandboxClock clock, GatewayEvents events, CancellationToken cancellationToken)
    {
        var (by, to, error) = await ReadMoveAsync(request, clock.GetUtcNow(), cancellationToken);
        if (error is not null)
        {
            return Invalid(error);
        }

        ClockMove done;
        try
        {
            done = await LoggedAsync(events, by is { } duration ? clock.MoveByAsync(duration, cancellationToken) : clock.MoveToAsync(to!.Value, cancellationToken));
        }
        catch (ArgumentOutOfRangeException)
        {
            // Another move got there first.
            return Invalid($"to must be later than the sandbox's now ({clock.GetUtcNow():O}): the clock only moves forward.");
        }

        return Results.Json(new { from = done.From, to = done.To, stops = done.Stops, handled = done.Handled, clock = ClockView(clock) });
    }

    /// <summary>A move, written to the event log with what it ran.</summary>
    public static async Task<ClockMove> LoggedAsync(GatewayEvents events, Task<ClockMove> move)
    {
        var done = await move;
        events.Publish("clock.moved", $"Sandbox clock moved from {done.From:O} to {done.To:O}: {done.Stops} stops; ran {string.Join(", ", done.Handled.Select(h => $"{h.Key} {h.Value}"))}");
        return done;
    }

    // {"advance":"06:00:00"} or {"to":"2027-01-01T00:00:00Z"}: exactly one, forward, at most LongestMove.
    private static async Task<(TimeSpan? By, DateTimeOffset? To, string? Error)> ReadMoveAsync(HttpRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return (null, null, "The body must be JSON: {\"advance\":\"06:00:00\"} or {\"to\":\"2027-01-01T00:00:00Z\"}.");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, null, "The body must be a JSON object with advance or to.");
        }

        var hasAdvance = body.TryGetProperty("advance", out var advance);
        var hasTo = body.TryGetProperty("to", out var to);
        if (hasAdvance == hasTo)
        {
            return (null, null, "Send exactly one of advance (a duration such as \"06:00:00\" or \"7.00:00:00\") and to (an ISO 8601 time with offset).");
        }

        if (hasAdvance)
        {
            var (by, problem) = ParseAdvance(advance.ValueKind == JsonValueKind.String ? advance.GetString() : null);
            return (by, null, problem);
        }

        if (to.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(to.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var target) || !HasOffset(to.GetString()!))
        {
            return (null, null, "to must be an ISO 8601 time with an offset, such as \"2027-01-01T00:00:00Z\".");
        }

        if (target <= now)
        {
            return (null, null, $"to must be later than the sandbox's now ({now:O}): the clock only moves forward.");
        }

        return target - now > LongestMove
            ? (null, null, $"to must be at most {LongestMove.TotalDays:0} days ahead; move in several steps.")
            : (null, target, null);
    }

    /// <summary>A move's duration (the API's and the console's): positive, at most a year.</summary>
    public static (TimeSpan? By, string? Error) ParseAdvance(string? text)
    {
        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var by) || by <= TimeSpan.Zero)
        {
            return (null, "advance must be a positive duration such as \"06:00:00\" or \"7.00:00:00\".");
        }

        return by > LongestMove ? (null, $"advance must be at most {LongestMove.TotalDays:0} days; move in several steps.") : (by, null);
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal);

    private static IResult Invalid(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);
}
