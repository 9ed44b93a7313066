using System.Globalization;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Notifications;

/// <summary>An operator's re-send (admin API and console): a new delivery series from now, the dispatcher woken, the event logged.</summary>
internal sealed class NotificationResender(NotificationOutbox outbox, NotificationSignal signal, GatewayEvents events, TimeProvider clock)
{
    /// <summary>False when there is no such notification.</summary>
    public async Task<bool> ResendAsync(long notificationId, CancellationToken cancellationToken)
    {
        if (!await outbox.ResendAsync(notificationId, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken))
        {
            return false;
        }

        signal.Notify();
        events.Publish("notification.resent", $"Notification {notificationId} resent by an operator",
            new Dictionary<string, string?> { ["notificationId"] = notificationId.ToString(CultureInfo.InvariantCulture) });
        return true;
    }
}
