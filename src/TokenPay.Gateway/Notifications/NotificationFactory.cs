using System.Text.Json;
using TokenPay.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Notifications;

/// <summary>Builds the notifications an order's or a refund's final state, or a token's change, owes its merchant (docs/protocol.md 5).</summary>
internal sealed class NotificationFactory(MerchantRegistry merchants)
{
    /// <param name="order">The order as it ends: status, result, completion time and card display set.</param>
    /// <param name="boundCard">The card a successful binding saved, for the TOKENIZATION notification.</param>
    public IReadOnlyList<NotificationDraft> For(OrderRecord order, PlainCard? boundCard)
    {
        var app = merchants.FindApp(order.AppId);
        var url = order.NotifyUrl ?? app?.NotifyUrl;
        if (url is null || app is null)
        {
            return [];
        }

        // A token application (applyPaymentToken) is no payment: it owes only the TOKENIZATION notification.
        List<NotificationDraft> drafts = Tokens.TokenApplicationEndpoints.IsApplication(order)
            ? []
            : [new NotificationDraft(Wire.NotifyPayment, url, tokenId => Payment(order with { PaymentTokenId = tokenId }, app))];
        if (app.TokenizationNotifications && boundCard is not null && order.Status == OrderStatuses.Success)
        {
            // Only the first notification of a token names the payment that saved it; an application is no payment.
            var outTradeNo = Tokens.TokenApplicationEndpoints.IsApplication(order) ? null : order.OutTradeNo;
            drafts.Add(new NotificationDraft(Wire.NotifyTokenization, url, tokenId => Tokenization(app, order.MerchantNo, order.CompletedAt!.Value, TokenView(
                order.UserId, tokenId!, TokenStatuses.Activated, boundCard.ValidUntil, Cards.Mask(boundCard.Pan), boundCard.Brand, order, outTradeNo, order.Country, order.MitType, cardUpdate: null))));
        }

        return drafts;
    }

    /// <summary>
    /// The TOKENIZATION notification of a later change to a token (docs/protocol.md 5.1): removed, expired, or the
    /// card changed or closed by its issuer (<paramref name="cardUpdate"/>). Null when the merchant takes no
    /// TOKENIZATION notifications.
    /// </summary>
    /// <param name="binding">The order that saved the card (its notify URL, and the requestId of an application).</param>
    /// <param name="token">The token that changed.</param>
    /// <param name="status">Its paymentTokenStatus after the change.</param>
    /// <param name="card">The card behind the token after the change.</param>
    public NotificationDraft? ForTokenChange(OrderRecord binding, TokenRecord token, string status, string? cardUpdate, StoredCard card, DateTimeOffset at)
    {
        var app = merchants.FindApp(binding.AppId);
        if (app is not { TokenizationNotifications: true } || (binding.NotifyUrl ?? app.NotifyUrl) is not { } url)
        {
            return null;
        }

        var body = Tokenization(app, token.MerchantNo, at.ToUnixTimeMilliseconds(), TokenView(
            token.UserId, token.PaymentTokenId, status, Cards.ValidUntil(card.ExpiryMonth, card.ExpiryYear), card.Masked, card.Brand, binding, outTradeNo: null, token.Country ?? binding.Country, token.MitType, cardUpdate));
        return new NotificationDraft(Wire.NotifyTokenization, url, _ => body);
    }

    /// <summary>The REFUND notification a refund owes once final: to its refundNotifyUrl, else the merchant's refund URL, else none.</summary>
    public NotificationDraft? ForRefund(RefundRecord refund)
    {
        var app = merchants.FindApp(refund.AppId);
        if (app is null || (refund.NotifyUrl ?? app.RefundNotifyUrl) is not { } url)
        {
            return null;
        }

        var body = Serialize(new Notification<RefundView>
        {
            AppId = app.AppId,
            MerchantNo = refund.MerchantNo,
            KeyVersion = app.KeyVersion,
            NotifyTime = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(refund.CompletedAt!.Value)),
            NotifyType = Wire.NotifyRefund,
            Code = ResultCodes.ApplySuccess,
            Msg = "Success.",
            Data = Refunds.RefundViews.From(refund),
        });
        return new NotificationDraft(Wire.NotifyRefund, url, _ => body);
    }

    private static byte[] Payment(OrderRecord order, MerchantApp app)
    {
        var (code, msg) = order.Status switch
        {
            OrderStatuses.Success => (ResultCodes.ApplySuccess, "Success."),
            OrderStatuses.Closed => (ResultCodes.OrderClosed, order.ResultMsg ?? "The order expired."),
            _ => (order.ResultCode ?? ResultCodes.PaymentFailed, order.ResultMsg ?? "The payment failed."),
        };
        return Serialize(new Notification<OrderView>
        {
            AppId = app.AppId,
            MerchantNo = order.MerchantNo,
            KeyVersion = app.KeyVersion,
            NotifyTime = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(order.CompletedAt!.Value)),
            NotifyType = Wire.NotifyPayment,
            Code = code,
            Msg = msg,
            Data = OrderViews.From(order),
        });
    }

    /// <param name="validUntil">The first instant after the card's expiry month.</param>
    /// <param name="binding">The order that saved the card: an application's names its requestId.</param>
    private static TokenizationView TokenView(
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
        RequestId = Tokens.TokenApplicationEndpoints.RequestIdOf(binding),
        SupportMit = mitType is not null,
        // The saving succeeded: a token exists only for a card that was saved.
        Status = OrderStatuses.Success,
        CardUpdate = cardUpdate,
    };

    private static byte[] Tokenization(MerchantApp app, string merchantNo, long at, TokenizationView data) => Serialize(new Notification<TokenizationView>
    {
        AppId = app.AppId,
        MerchantNo = merchantNo,
        KeyVersion = app.KeyVersion,
        NotifyTime = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(at)),
        NotifyType = Wire.NotifyTokenization,
        Code = ResultCodes.ApplySuccess,
        Msg = "Success.",
        Data = data,
    });

    private static byte[] Serialize<T>(Notification<T> notification) => JsonSerializer.SerializeToUtf8Bytes(notification, PayerMaxJson.Options);
}
