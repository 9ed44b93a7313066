using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tokens;

/// <summary>The notifications a change to a saved token owes its merchant (docs/protocol.md 5.1).</summary>
internal static class TokenNotifications
{
    /// <summary>
    /// What a later change to a token owes: its TOKENIZATION notification, removed, expired, or the card changed
    /// or closed by its issuer (<paramref name="cardUpdate"/>), queued under the order that saved the card. None
    /// when no order saved it or the merchant takes no TOKENIZATION notifications.
    /// </summary>
    /// <param name="binding">The order that saved the card (its notify URL, and the requestId of an application).</param>
    /// <param name="token">The token as read before the change.</param>
    /// <param name="status">Its paymentTokenStatus after the change.</param>
    /// <param name="card">The card behind the token after the change.</param>
    public static TokenChangeNotice ForTokenChange(this NotificationFactory notifications, OrderRecord? binding, TokenRecord token, string status, string? cardUpdate, StoredCard card, DateTimeOffset at)
    {
        if (binding is null)
        {
            return TokenChangeNotice.None;
        }

        var view = TokenizationViews.Of(token.UserId, token.PaymentTokenId, status, Cards.ValidUntil(card.ExpiryMonth, card.ExpiryYear), card.Masked, card.Brand,
            binding, outTradeNo: null, token.Country ?? binding.Country, token.MitType, cardUpdate);
        return new TokenChangeNotice(binding.Id, notifications.Create(Wire.NotifyTokenization, binding.AppId, token.MerchantNo, binding.NotifyUrl, at.ToUnixTimeMilliseconds(), view));
    }
}
