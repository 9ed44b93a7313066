using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Orders;

/// <summary>
/// A payment token as its TOKENIZATION notification shows it (docs/protocol.md 5.1): when a binding order saves
/// the card (<see cref="OrderNotifications"/>), and on every later change to the token (the Tokens feature).
/// </summary>
internal static class TokenizationViews
{
    /// <param name="validUntil">The first instant after the card's expiry month.</param>
    /// <param name="binding">The order that saved the card: an application's names its requestId.</param>
    /// <param name="outTradeNo">The payment that saved the card, named only in the token's first notification.</param>
    public static TokenizationView Of(
        string userId, string tokenId, string status, DateTimeOffset validUntil, string maskedCard, string brand, OrderRecord binding, string? outTradeNo, string country, string? mitType, string? cardUpdate) => new()
    {
        UserId = userId,
        PaymentTokenId = tokenId,
        TokenScope = Wire.TokenScopeAcquiring,
        PaymentTokenExpiry = PayerMaxTime.Format(validUntil.AddMilliseconds(-1)),
        PaymentTokenStatus = status,
        CardInfo = maskedCard,
        IfCVV = Wire.CvvNotNeeded,
        Brand = brand,
        OutTradeNo = outTradeNo,
        PaymentMethodType = Wire.Card,
        Country = country,
        RequestId = TokenApplications.RequestIdOf(binding),
        SupportMit = mitType is not null,
        // The saving succeeded: a token exists only for a card that was saved.
        Status = OrderStatuses.Success,
        CardUpdate = cardUpdate,
    };
}
