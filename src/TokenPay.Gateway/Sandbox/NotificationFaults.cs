using System.Collections.Concurrent;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Sandbox;

/// <summary>What the dispatcher does with one delivery under the sandbox's notification rules.</summary>
internal enum DeliveryFault
{
    None,

    /// <summary>Not sent; recorded as a failed attempt, so the schedule retries it.</summary>
    Drop,

    /// <summary>Sent twice.</summary>
    Duplicate,

    /// <summary>Sent with a signature over other bytes: the merchant must refuse it.</summary>
    BadSignature,

    /// <summary>Not sent now: due again after the rule's delay (no attempt is counted).</summary>
    Delay,

    /// <summary>Held back until the merchant's next notification has gone (at most an hour): later ones overtake it.</summary>
    HoldBack,
}

/// <summary>The sandbox's notification rules, asked by the dispatcher before each delivery.</summary>
internal sealed class NotificationFaults(FaultRules rules)
{
    /// <summary>How long a held-back notification waits at most for another to overtake it.</summary>
    public static readonly TimeSpan LongestHold = TimeSpan.FromHours(1);

    // Held-back notifications by merchant, released (made due) once another of that merchant's has been sent.
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _held = new();

    public bool Any => rules.Any || !_held.IsEmpty;

    /// <summary>What to do with this delivery, and the rule's id and delay when one fired.</summary>
    public (DeliveryFault Fault, string? RuleId, TimeSpan Delay) Plan(DueNotification notification)
    {
        if (!rules.Any)
        {
            return (DeliveryFault.None, null, TimeSpan.Zero);
        }

        var context = new FaultContext(notification.MerchantNo, notification.UserId, notification.OutTradeNo);
        foreach (var (kind, fault) in Kinds)
        {
            if (rules.Take(kind, context) is { } fired)
            {
                if (fault == DeliveryFault.HoldBack)
                {
                    _held.GetOrAdd(notification.MerchantNo, _ => new()).Enqueue(notification.Id);
                }

                return (fault, fired.Rule.Id, fault == DeliveryFault.HoldBack ? LongestHold : fired.Rule.Delay ?? TimeSpan.Zero);
            }
        }

        return (DeliveryFault.None, null, TimeSpan.Zero);
    }

    /// <summary>After a delivery of this merchant's: the notifications held back for it, to be made due now.</summary>
    public IReadOnlyList<long> Overtaken(DueNotification delivered)
    {
        if (_held.IsEmpty || !_held.TryGetValue(delivered.MerchantNo, out var queue))
        {
            return [];
        }

        var released = new List<long>();
        while (queue.TryDequeue(out var id))
        {
            if (id != delivered.Id)
            {
                released.Add(id);
            }
        }

        return released;
    }

    private static readonly (string Kind, DeliveryFault Fault)[] Kinds =
    [
        (FaultKinds.NotificationDrop, DeliveryFault.Drop),
        (FaultKinds.NotificationDelay, DeliveryFault.Delay),
        (FaultKinds.NotificationOutOfOrder, DeliveryFault.HoldBack),
        (FaultKinds.NotificationDuplicate, DeliveryFault.Duplicate),
        (FaultKinds.NotificationBadSignature, DeliveryFault.BadSignature),
    ];
}
