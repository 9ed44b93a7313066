using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;

namespace TokenPay.Merchant.Hosting;

/// <summary>The merchant's HTTP API (JSON): charges, wallet, reconciliation, payments.</summary>
internal static class MerchantApi
{
    public static void MapMerchantApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/charges", ChargeAsync);
        api.MapGet("/payments/{outTradeNo}", async (string outTradeNo, IMerchantStore store, CancellationToken ct) =>
            await store.FindPaymentAsync(outTradeNo, ct) is { } payment ? Results.Json(payment) : Results.NotFound());
        api.MapGet("/wallet/{userId}", async (string userId, WalletService wallet, CancellationToken ct) => Results.Json(await wallet.ListAsync(userId, ct)));
        api.MapPost("/wallet/{userId}/sync", async (string userId, WalletService wallet, CancellationToken ct) => Results.Json(await wallet.SyncAsync(userId, ct)));
        api.MapDelete("/wallet/{userId}/{paymentTokenId}", async (string userId, string paymentTokenId, WalletService wallet, CancellationToken ct) =>
            await wallet.RemoveAsync(userId, paymentTokenId, ct) ? Results.NoContent() : Results.NotFound());
        api.MapPost("/reconcile", async (Reconciler reconciler, CancellationToken ct) => Results.Json(await reconciler.ReconcileAsync(ct)));
    }

    private static async Task<IResult> ChargeAsync(ChargeRequest request, ChargeService charges, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await charges.ChargeAsync(request, cancellationToken));
        }
        catch (ArgumentException ex)
        {
            return Results.BadRequest(new { error = ex.Message });
        }
    }
}
