using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Disputes;

/// <summary>The notification each status a case reaches owes its merchant (docs/disputes.md).</summary>
internal static class DisputeNotifications
{
    /// <summary>The CHARGEBACK notification: to the app's DisputeNotifyUrl, else its NotifyUrl, else none.</summary>
    /// <param name="dispute">The case as it stands after the change (its <see cref="DisputeRecord.UpdatedAt"/> is the notifyTime).</param>
    public static NotificationDraft? ForCase(this NotificationFactory notifications, DisputeRecord dispute) =>
        notifications.Create(Wire.NotifyChargeback, dispute.AppId, dispute.MerchantNo, null, dispute.UpdatedAt, DisputeViews.From(dispute));
}
