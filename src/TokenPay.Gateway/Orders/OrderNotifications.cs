using TokenPay.Acquiring;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Orders;

/// <summary>The notifications an order's terminal state owes its merchant (docs/protocol.md 5).</summary>
internal static class OrderNotifications
{
    /// <param name="order">The order as it ends: status, result, completion time, card display and the payment token it is linked to.</param>
    /// <param name="boundCard">The card a successful binding saved, for the TOKENIZATION notification.</param>
    public static IReadOnlyList<NotificationDraft> ForOrder(this NotificationFactory notifications, OrderRecord order, PlainCard? boundCard)
    {
        var completedAt = order.CompletedAt!.Value;
        List<NotificationDraft?> drafts = [];
        var application = TokenApplications.IsApplication(order);
        if (!application)
        {
            // A token application (applyPaymentToken) is no payment: it owes only the TOKENIZATION notification.
            var (code, msg) = ResultOf(order);
            drafts.Add(notifications.Create(Wire.NotifyPayment, order.AppId, order.MerchantNo, order.NotifyUrl, completedAt, OrderViews.From(order), code, msg));
        }

        if (boundCard is not null && order.Status == OrderStatuses.Success)
        {
            // Only the first notification of a token names the payment that saved it; an application is no payment.
            var view = TokenizationViews.Of(order.UserId, order.PaymentTokenId!, TokenStatuses.Activated, boundCard.ValidUntil, Cards.Mask(boundCard.Pan), boundCard.Brand,
                order, application ? null : order.OutTradeNo, order.Country, order.MitType, cardUpdate: null);
            drafts.Add(notifications.Create(Wire.NotifyTokenization, order.AppId, order.MerchantNo, order.NotifyUrl, completedAt, view));
        }

        return [.. drafts.OfType<NotificationDraft>()];
    }

    private static (string Code, string Msg) ResultOf(OrderRecord order) => order.Status switch
    {
        OrderStatuses.Success => (ResultCodes.ApplySuccess, "Success."),
        OrderStatuses.Closed => (ResultCodes.OrderClosed, order.ResultMsg ?? "The order expired."),
        _ => (order.ResultCode ?? ResultCodes.PaymentFailed, order.ResultMsg ?? "The payment failed."),
    };
}
