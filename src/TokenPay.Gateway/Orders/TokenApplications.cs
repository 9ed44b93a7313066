using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Orders;

/// <summary>
/// <c>applyPaymentToken</c> (docs/protocol.md 2.8) saves a card with a zero-amount binding order under the number
/// <c>apply:</c> + requestId, a character no outTradeNo may hold. Such an order is no payment: it owes no PAYMENT
/// notification, and its TOKENIZATION notifications name the requestId instead of an outTradeNo.
/// </summary>
internal static class TokenApplications
{
    public const string OrderPrefix = "apply:";

    public static bool IsApplication(OrderRecord order) => order.OutTradeNo.StartsWith(OrderPrefix, StringComparison.Ordinal);

    /// <summary>The merchant's requestId of an application's order; null for any other order.</summary>
    public static string? RequestIdOf(OrderRecord order) => IsApplication(order) ? order.OutTradeNo[OrderPrefix.Length..] : null;
}
