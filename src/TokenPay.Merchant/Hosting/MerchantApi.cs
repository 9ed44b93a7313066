using System.Text.Json;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Security;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;

namespace TokenPay.Merchant.Hosting;

/// <summary>The merchant's HTTP API (JSON) for operators: charges, refunds, wallets, reconciliation, payments. Every route needs <c>X-Operator-Key</c>.</summary>
internal static class MerchantApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapMerchantApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(MerchantSecurity.RequireOperatorKeyAsync).WithTags("Operator API")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/charges", ChargeAsync).Accepts<ChargeRequest>("application/json").Produces<ChargeResult>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Charge a user's saved card without the user (unscheduled MIT); the chargeId never charges twice.");
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
    }

    private static async Task<IResult> ChargeAsync(HttpContext http, ChargeService charges, CancellationToken cancellationToken)
    {
        ChargeRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<ChargeRequest>(http.Request.Body, Json, cancellationToken);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "body";
            return Invalid(field, field == "body" ? "The body must be a JSON object: {\"userId\",\"amount\",\"currency\",\"reason\",\"chargeId\"}." : $"{field} has the wrong type or format.");
        }

        if (request is null)
        {
            return Invalid("body", "The body must be a JSON object: {\"userId\",\"amount\",\"currency\",\"reason\",\"chargeId\"}.");
        }

        if (ChargeService.Check(request) is { } problem)
        {
            return Invalid(problem.Field, problem.Message);
        }

        var result = await charges.ChargeAsync(request, cancellationToken);
        return result.IsChargeIdConflict
            ? Results.Problem(title: "chargeId already used", detail: result.ResultMsg, statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["field"] = "chargeId" })
            : Results.Json(result);
    }

    private static async Task<IResult> RefundAsync(HttpContext http, RefundService refunds, CancellationToken cancellationToken)
    {
        const string Shape = "The body must be a JSON object: {\"payment\",\"amount\",\"refundId\",\"reason\"}.";
        RefundOrder? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<RefundOrder>(http.Request.Body, Json, cancellationToken);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "body";
            return Invalid(field, field == "body" ? Shape : $"{field} has the wrong type or format.");
        }

        if (request is null)
        {
            return Invalid("body", Shape);
        }

        if (RefundService.Check(request) is { } problem)
        {
            return Invalid(problem.Field, problem.Message);
        }

        var result = await refunds.RefundAsync(request, cancellationToken);
        return result.IsRefundIdConflict
            ? Results.Problem(title: "refundId already used", detail: result.ResultMsg, statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["field"] = "refundId" })
            : Results.Json(result);
    }

    private static IResult Invalid(string field, string message) =>
        Results.Problem(title: "Invalid request", detail: message, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["field"] = field });

    private static IResult NotFound(string field, string message) =>
        Results.Problem(title: "Not found", detail: message, statusCode: StatusCodes.Status404NotFound, extensions: new Dictionary<string, object?> { ["field"] = field });
}
