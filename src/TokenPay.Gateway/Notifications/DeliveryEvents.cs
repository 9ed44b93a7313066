using System.Globalization;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Notifications;

/// <summary>The event log's line for a delivery: what the console and <c>tokenpay listen</c> show.</summary>
internal static class DeliveryEvents
{
    /// <summary>One event per delivery: an attempt, or a copy sent elsewhere (<paramref name="url"/>, with the answer).</summary>
    public static void PublishDelivery(this GatewayEvents events, string kind, string what, DueNotification notification, SendResult result, TimeSpan took, string? url = null)
    {
        var status = result.HttpStatus?.ToString(CultureInfo.InvariantCulture);
        events.Publish(
            kind,
            $"{notification.NotifyType} notification for {notification.OutTradeNo}{what}: {(result.Acknowledged ? "acknowledged" : result.Error)} ({status ?? "no answer"}, {took.TotalMilliseconds:0} ms)",
            new Dictionary<string, string?>
            {
                ["notificationId"] = notification.Id.ToString(CultureInfo.InvariantCulture),
                ["notifyType"] = notification.NotifyType,
                ["outTradeNo"] = notification.OutTradeNo,
                ["attempt"] = (notification.Attempts + 1).ToString(CultureInfo.InvariantCulture),
                ["httpStatus"] = status,
                ["acknowledged"] = result.Acknowledged ? "true" : "false",
                ["latencyMs"] = ((long)took.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                ["url"] = url,
                ["answer"] = url is null ? null : result.ResponseExcerpt,
            });
    }
}
