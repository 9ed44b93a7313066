using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Refunds;

/// <summary>The notification a refund's final state owes its merchant (docs/protocol.md 5).</summary>
internal static class RefundNotifications
{
    /// <summary>The REFUND notification: to the refund's refundNotifyUrl, else the merchant's refund URL, else none.</summary>
    /// <param name="refund">The refund as it ends: status, result and completion time set.</param>
    public static NotificationDraft? ForRefund(this NotificationFactory notifications, RefundRecord refund) =>
        notifications.Create(Wire.NotifyRefund, refund.AppId, refund.MerchantNo, refund.NotifyUrl, refund.CompletedAt!.Value, RefundViews.From(refund));
}
