using TokenPay.Gateway.Core;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// The notification sender in sandbox mode: the notification rules (<see cref="NotificationFaults"/>) decide how each
/// delivery goes, and while <c>tokenpay listen --forward-to</c> is connected each delivered notification is also
/// copied to its local listeners (<see cref="NotificationForwarding"/>).
/// </summary>
internal sealed class SandboxNotificationSender(
    NotificationSender sender,
    NotificationFaults faults,
    NotificationForwarding forwarding,
    NotificationOutbox outbox,
    NotificationSignal signal,
    GatewayEvents events,
    TimeProvider clock) : INotificationSender
{
    public async Task<SendResult> SendAsync(DueNotification notification, CancellationToken cancellationToken)
    {
        var (fault, ruleId, delay) = faults.Any ? faults.Plan(notification) : default;
        if (fault is DeliveryFault.Delay or DeliveryFault.HoldBack)
        {
            return SendResult.Postponed(clock.GetUtcNow() + delay);
        }

        var result = fault switch
        {
            DeliveryFault.Drop => new SendResult(false, null, null, $"dropped by sandbox fault {ruleId}"),
            DeliveryFault.BadSignature => await sender.SendAsync(notification.Url, notification.Body, cancellationToken, signatureOver: [.. notification.Body, (byte)' ']),
            _ => await sender.SendAsync(notification, cancellationToken),
        };
        if (fault == DeliveryFault.Duplicate)
        {
            await sender.SendAsync(notification, cancellationToken);
        }

        await ForwardAsync(notification, cancellationToken);
        await ReleaseOvertakenAsync(notification, cancellationToken);
        return result;
    }

    // A copy to each local listener; its answer is only reported.
    private async Task ForwardAsync(DueNotification notification, CancellationToken cancellationToken)
    {
        if (!forwarding.Any)
        {
            return;
        }

        foreach (var url in forwarding.Targets)
        {
            var started = clock.GetTimestamp();
            var forwarded = await sender.SendAsync(url, notification.Body, cancellationToken);
            events.PublishDelivery("notification.forwarded", $" forwarded to {url}", notification, forwarded, clock.GetElapsedTime(started), url);
        }
    }

    // Notifications held back for this one to overtake are due now.
    private async Task ReleaseOvertakenAsync(DueNotification notification, CancellationToken cancellationToken)
    {
        if (!faults.Any)
        {
            return;
        }

        foreach (var overtaken in faults.Overtaken(notification))
        {
            await outbox.BringForwardAsync(overtaken, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
            signal.Notify();
        }
    }
}
