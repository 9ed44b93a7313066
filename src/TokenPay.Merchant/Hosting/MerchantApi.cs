using System.Text.Json;
using TokenPay.Merchant.Disputes;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;

namespace TokenPay.Merchant.Hosting;

/// <summary>The merchant's HTTP API (JSON) for operators: charges, refunds, wallets, reconciliation, payments, disputes. Every route needs <c>X-Operator-Key</c>.</summary>
internal static class MerchantApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapMerchantApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(MerchantSecurity.RequireOperatorKeyAsync).WithTags("Operator API")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/charges", ChargeAsync).Accepts<ChargeRequest>("application/json").Produces<ChargeResult>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Charge a user's saved card without the user (unscheduled MIT): the card paymentTokenId, or else the newest that allows it; the chargeId never charges twice.");
        api.MapGet("/charges/{chargeId}", async (string chargeId, ChargeService charges, CancellationToken ct) =>
            await charges.HistoryAsync(chargeId, ct) is { } history ? Results.Json(history) : NotFound("chargeId", "No charge with this chargeId."))
            .Produces<ChargeHistory>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A charge's attempts, the network's advice on each decline, and the next retry.");
        api.MapPost("/refunds", RefundAsync).Accepts<RefundOrder>("application/json").Produces<RefundOutcome>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Refund a payment in full or in part; the refundId never refunds twice.");
        api.MapGet("/refunds/{refundId}", async (string refundId, RefundLedger refunds, CancellationToken ct) =>
            await refunds.FindByRefundIdAsync(refundId, ct) is { } refund ? Results.Json(refund) : NotFound("refundId", "No refund with this refundId."))
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A refund as recorded here.");
        api.MapGet("/payments/{outTradeNo}", async (string outTradeNo, PaymentStore payments, CancellationToken ct) =>
            await payments.FindAsync(outTradeNo, ct) is { } payment ? Results.Json(payment) : NotFound("outTradeNo", "No payment with this outTradeNo."))
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A payment (checkout, charge or retry) as recorded here.");
        api.MapGet("/wallet/{userId}", async (string userId, WalletService wallet, CancellationToken ct) => Results.Json(await wallet.ListAsync(userId, ct)))
            .WithSummary("A user's saved cards (never a card number).");
        api.MapPost("/wallet/{userId}/sync", async (string userId, WalletService wallet, CancellationToken ct) => Results.Json(await wallet.SyncAsync(userId, ct)))
            .WithSummary("Refresh a user's saved cards from the gateway's token inquiry.");
        api.MapDelete("/wallet/{userId}/{paymentTokenId}", async (string userId, string paymentTokenId, WalletService wallet, CancellationToken ct) =>
            await wallet.RemoveAsync(userId, paymentTokenId, ct) ? Results.NoContent() : NotFound("paymentTokenId", "This user has no such saved card."))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Remove a saved card at the gateway; it can no longer be charged.");
        api.MapPost("/reconcile", async (Reconciler reconciler, CancellationToken ct) => Results.Json(await reconciler.ReconcileAsync(ct)))
            .Produces<ReconcileSummary>().WithSummary("Settle open payments and refunds with the gateway now.");
        api.MapDisputes();
    }

    /// <summary>The dispute inbox (docs/disputes.md): cases, one case with its payment, card and timeline, answers, refresh and reconciliation.</summary>
    private static void MapDisputes(this RouteGroupBuilder api)
    {
        api.MapGet("/disputes", async (string? status, string? before, DisputeService disputes, CancellationToken ct) =>
            DisputeFilterFor(status, before) is { } filter ? Results.Json(await disputes.ListAsync(filter, 100, ct)) : Invalid("status", "status is open (raised or answered), closed (ruled, closed or cancelled), or absent for all."))
            .Produces<IReadOnlyList<DisputeSummary>>()
            .WithSummary("Dispute cases, newest first (status=open or closed; before=<recordedAt in Unix ms>_<caseId> for the next 100); lostCost is what a lost case cost (amount + fee).");
        api.MapGet("/disputes/{caseId}", async (string caseId, DisputeService disputes, CancellationToken ct) =>
            await disputes.DetailsAsync(caseId, ct) is { } details ? Results.Json(details) : NotFound("caseId", "No dispute case with this caseId is known here."))
            .Produces<DisputeDetails>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One dispute case with the disputed payment, the card, the timeline and the answer.");
        api.MapPost("/disputes/{caseId}/reply", ReplyAsync).Accepts<DisputeAnswer>("application/json").Produces<DisputeReply>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Answer a DISPUTE_INQUIRY case with words and https evidence links before the end of its expiration date (UTC); the same answer again is safe.");
        api.MapPost("/disputes/{caseId}/refresh", RefreshDisputeAsync)
            .Produces<DisputeDetails>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Read one case from the gateway now (caseSearch).");
        api.MapPost("/disputes/sync", async (DisputeSync sync, CancellationToken ct) => Results.Json(await sync.SyncAsync(ct)))
            .Produces<DisputeSyncSummary>().WithSummary("Read the cases changed since the last look from the gateway now (caseList).");
    }

    private static async Task<IResult> RefreshDisputeAsync(string caseId, DisputeService disputes, CancellationToken cancellationToken)
    {
        try
        {
            return await disputes.RefreshAsync(caseId, cancellationToken) is { } details ? Results.Json(details) : NotFound("caseId", "The gateway knows no dispute case with this caseId.");
        }
        catch (Exception ex) when (ex is TokenPay.Client.PayerMaxException or InvalidOperationException)
        {
            return Results.Problem(title: "The gateway could not be asked", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static DisputeFilter? DisputeFilterFor(string? status, string? before) => status switch
    {
        null or "" or "all" => new DisputeFilter(Older: PageMark.Parse(before)),
        "open" => new DisputeFilter(Open: true, Older: PageMark.Parse(before)),
        "closed" => new DisputeFilter(Open: false, Older: PageMark.Parse(before)),
        _ => null,
    };

    private static async Task<IResult> ReplyAsync(string caseId, HttpContext http, DisputeService disputes, CancellationToken cancellationToken)
    {
        const string Shape = "The body must be a JSON object: {\"responseContent\"} and optionally \"representmentFile\" (https links to the evidence files).";
        var read = await ReadAsync<DisputeAnswer>(http, Shape, cancellationToken);
        if (read.Value is not { } answer)
        {
            return read.Invalid!;
        }

        // As for charges: the caller's hang-up does not stop an answer half way.
        var reply = await disputes.ReplyAsync(caseId, answer.ResponseContent, answer.RepresentmentFile, CancellationToken.None);
        return reply.Outcome switch
        {
            DisputeReplyOutcome.Taken => Results.Json(reply),
            DisputeReplyOutcome.Invalid => Invalid(reply.Field!, reply.Message),
            DisputeReplyOutcome.NotFound => NotFound("caseId", reply.Message),
            DisputeReplyOutcome.Refused => Results.Problem(title: "The case cannot take this answer", detail: reply.Message, statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["field"] = "caseId" }),
            _ => Results.Problem(title: "Outcome unknown", detail: reply.Message, statusCode: StatusCodes.Status503ServiceUnavailable),
        };
    }

    /// <summary>
    /// Answers the 415 that routing gives a body that is not JSON (the endpoints accept only application/json) with a
    /// problem naming the expected type, instead of an empty body.
    /// </summary>
    public static void UseJsonOnlyProblem(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        await next(http);
        if (http.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType && !http.Response.HasStarted && http.Request.Path.StartsWithSegments("/api"))
        {
            await Results.Problem(
                title: "Unsupported media type",
                detail: $"The body must be JSON, sent with Content-Type: application/json (not {http.Request.ContentType?.Split(';')[0] ?? "no Content-Type"}).",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" }).ExecuteAsync(http);
        }
    });

    private static async Task<IResult> ChargeAsync(HttpContext http, ChargeService charges, CancellationToken cancellationToken)
    {
        const string Shape = "The body must be a JSON object: {\"userId\",\"amount\",\"currency\",\"reason\",\"chargeId\"} and optionally \"paymentTokenId\" (the saved card to charge).";
        var read = await ReadAsync<ChargeRequest>(http, Shape, cancellationToken);
        if (read.Value is not { } request)
        {
            return read.Invalid!;
        }

        if ((ChargeService.Check(request) ?? await charges.CheckCardAsync(request, cancellationToken)) is { } problem)
        {
            return Invalid(problem.Field, problem.Message);
        }

        // Once the request is read, its caller's connection decides nothing: a hang-up must not leave a charge
        // half sent (it would stay open until settled); the SDK's own timeout bounds the work.
        var result = await charges.ChargeAsync(request, CancellationToken.None);
        return result.IsChargeIdConflict
            ? Results.Problem(title: "chargeId already used", detail: result.ResultMsg, statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["field"] = "chargeId" })
            : Results.Json(result);
    }

    private static async Task<IResult> RefundAsync(HttpContext http, RefundService refunds, CancellationToken cancellationToken)
    {
        const string Shape = "The body must be a JSON object: {\"payment\",\"amount\",\"refundId\",\"reason\"}.";
        var read = await ReadAsync<RefundOrder>(http, Shape, cancellationToken);
        if (read.Value is not { } request)
        {
            return read.Invalid!;
        }

        if (RefundService.Check(request) is { } problem)
        {
            return Invalid(problem.Field, problem.Message);
        }

        // As for charges: the caller's hang-up does not stop a refund half way.
        var result = await refunds.RefundAsync(request, CancellationToken.None);
        return result.IsRefundIdConflict
            ? Results.Problem(title: "refundId already used", detail: result.ResultMsg, statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["field"] = "refundId" })
            : Results.Json(result);
    }

    // The syntax is checked before the shape, so a truncated body is not blamed on the field it stopped in.
    private static async Task<(T? Value, IResult? Invalid)> ReadAsync<T>(HttpContext http, string shape, CancellationToken cancellationToken)
        where T : class
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            // Lines and positions from 1, as editors count them.
            return (null, Invalid("body", $"The body is not valid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}. {shape}"));
        }

        using (document)
        {
            try
            {
                return document.Deserialize<T>(Json) is { } value ? (value, null) : (null, Invalid("body", shape));
            }
            catch (JsonException ex)
            {
                var field = ex.Path is { Length: > 2 } path ? path[2..] : "body";
                return (null, Invalid(field, field == "body" ? shape : $"{field} has the wrong type or format."));
            }
        }
    }

    private static IResult Invalid(string field, string message) =>
        Results.Problem(title: "Invalid request", detail: message, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["field"] = field });

    private static IResult NotFound(string field, string message) =>
        Results.Problem(title: "Not found", detail: message, statusCode: StatusCodes.Status404NotFound, extensions: new Dictionary<string, object?> { ["field"] = field });
}
