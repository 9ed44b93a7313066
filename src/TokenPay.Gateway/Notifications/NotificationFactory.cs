using System.Text.Json;
using TokenPay.Acquiring;
using TokenPay.Gateway.Merchants;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Notifications;

/// <summary>Builds the notifications an order's or a refund's final state owes its merchant (docs/protocol.md 5).</summary>
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
            drafts.Add(new NotificationDraft(Wire.NotifyTokenization, url, tokenId => Tokenization(order, boundCard, tokenId!, TokenStatuses.Activated, null, order.CompletedAt!.Value, app)));
        }

        return drafts;
    }

    /// <summary>
    /// The TOKENIZATION notification of the account updater's change to a token's card (to merchants that take
    /// TOKENIZATION notifications): the token as it is now, and what changed.
    /// </summary>
    /// <param name="binding">The order that saved the card (its outTradeNo and notify URL).</param>
    /// <param name="card">The card now behind the token (the old one for a closed card).</param>
    public NotificationDraft? ForCardUpdate(OrderRecord binding, TokenRecord token, string change, PlainCard card, DateTimeOffset at)
    {
        var app = merchants.FindApp(binding.AppId);
        if (app is not { TokenizationNotifications: true } || (binding.NotifyUrl ?? app.NotifyUrl) is not { } url)
        {
            return null;
        }

        var status = change == CardUpdates.Closed ? TokenStatuses.Deleted : token.Status;
        var body = Tokenization(binding with { MitType = token.MitType }, card, token.PaymentTokenId, status, change, at.ToUnixTimeMilliseconds(), app);
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

    private static byte[] Tokenization(OrderRecord order, PlainCard card, string tokenId, string status, string? cardUpdate, long at, MerchantApp app) => Serialize(new Notification<TokenizationView>
    {
        AppId = app.AppId,
        MerchantNo = order.MerchantNo,
        KeyVersion = app.KeyVersion,
        NotifyTime = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(at)),
        NotifyType = Wire.NotifyTokenization,
        Code = ResultCodes.ApplySuccess,
        Msg = "Success.",
        Data = new TokenizationView
        {
            OutTradeNo = order.OutTradeNo,
            PaymentTokenId = tokenId,
            UserId = order.UserId,
            PaymentTokenStatus = status,
            PaymentTokenExpiry = PayerMaxTime.Format(card.ValidUntil.AddMilliseconds(-1)),
            CardInfo = Cards.Mask(card.Pan),
            Brand = card.Brand,
            PaymentMethodType = Wire.Card,
            MerchantInitiated = order.MitType is not null,
            CardUpdate = cardUpdate,
        },
    });

    private static byte[] Serialize<T>(Notification<T> notification) => JsonSerializer.SerializeToUtf8Bytes(notification, PayerMaxJson.Options);
}
