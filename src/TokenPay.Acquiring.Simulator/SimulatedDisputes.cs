using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The sandbox's disputes on demand (docs/sandbox.md): raise a case now on a payment the simulator approved,
/// rule an open case now, or have the cardholder withdraw it now. The gateway learns of each change from the
/// acquirer's dispute feed, as of any other.
/// </summary>
public sealed class SimulatedDisputes
{
    private readonly SimulatorDisputeStore _disputes;
    private readonly DisputeNetwork _network;
    private readonly TimeProvider _clock;

    internal SimulatedDisputes(SimulatorDisputeStore disputes, DisputeNetwork network, TimeProvider clock)
    {
        _disputes = disputes;
        _network = network;
        _clock = clock;
    }

    /// <summary>Raises a dispute now on the payment of <paramref name="tradeToken"/> for what is left of it, won if answered.</summary>
    public async Task<DisputeAction> RaiseNowAsync(string tradeToken, string reason, CancellationToken cancellationToken)
    {
        if (DisputeRules.Category(reason) is not { } category)
        {
            return DisputeAction.Refuse(DisputeRefusal.UnknownReason, $"reason must be one of: {string.Join(", ", Reasons)}.");
        }

        var now = _clock.GetUtcNow();
        var (raised, paymentFound) = await _disputes.RaiseNowAsync(tradeToken,
            (payment, left) => DisputeNetwork.NewCase(tradeToken, payment, category, now, DisputeRules.Win, null, left), now.ToUnixTimeMilliseconds(), cancellationToken);
        return raised is not null
            ? DisputeAction.Done($"Raised {category} case {raised.CaseId} for {Currencies.FromMinorUnits(raised.AmountMinor ?? 0, raised.Currency).ToString($"F{Currencies.MinorDigits(raised.Currency)}", System.Globalization.CultureInfo.InvariantCulture)} {raised.Currency}.", raised.Report(DisputeStage.Raised, raised.RaiseAt))
            : paymentFound
                ? DisputeAction.Refuse(DisputeRefusal.NothingLeft, "Nothing is left of this payment to dispute: refunds, open disputes and chargebacks already account for all of it.")
                : DisputeAction.Refuse(DisputeRefusal.UnknownPayment, "The simulator approved no payment with an amount for this order.");
    }

    /// <summary>Rules an open case now: the merchant wins or loses, whether or not it answered.</summary>
    public Task<DisputeAction> RuleNowAsync(string caseId, bool merchantWon, CancellationToken cancellationToken) =>
        ChangeNowAsync(caseId, (open, now) => open with { Ruling = merchantWon ? DisputeRules.Win : DisputeRules.Fail, RuledAt = now },
            merchantWon ? "won by the merchant" : "lost by the merchant", cancellationToken);

    /// <summary>The cardholder withdraws an open case now.</summary>
    public Task<DisputeAction> CancelNowAsync(string caseId, CancellationToken cancellationToken) =>
        ChangeNowAsync(caseId, (open, now) => open with { CancelledAt = now }, "withdrawn by the cardholder", cancellationToken);

    private async Task<DisputeAction> ChangeNowAsync(string caseId, Func<SimulatedDispute, long, SimulatedDispute> change, string done, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (await _disputes.FindAsync(caseId, cancellationToken) is not { } read || !read.Raised || read.RaiseAt > now)
        {
            return DisputeAction.Refuse(DisputeRefusal.UnknownCase, $"The simulator raised no case {caseId}.");
        }

        var current = await _network.AdvanceAsync(read, now, cancellationToken);
        if (current.RuledAt is not null || current.CancelledAt is not null)
        {
            return DisputeAction.Refuse(DisputeRefusal.CaseEnded, $"Case {caseId} is {(current.CancelledAt is not null ? "withdrawn" : $"ruled already ({current.Ruling})")}: only an open case can change.");
        }

        var changed = change(current, now);
        return await _disputes.SaveProgressAsync(current, changed, cancellationToken)
            ? DisputeAction.Done($"Case {caseId} {done}.", changed.Report(changed.CancelledAt is not null ? DisputeStage.Cancelled : DisputeStage.Ruled, now))
            : DisputeAction.Refuse(DisputeRefusal.CaseEnded, $"Case {caseId} changed meanwhile; ask again.");
    }

    /// <summary>True when <paramref name="reason"/> names a family (any case; - for _).</summary>
    public static bool IsReason(string reason) => DisputeRules.Category(reason) is not null;

    /// <summary>The families a reason may name, as typed (fraud, not_received, ...).</summary>
    public static IReadOnlyList<string> Reasons { get; } = [.. DisputeReasons.All.Select(r => r.ToLowerInvariant())];
}

/// <summary>Why the sandbox could not do a dispute action.</summary>
public enum DisputeRefusal
{
    UnknownReason,
    UnknownPayment,
    NothingLeft,
    UnknownCase,
    CaseEnded,
}

/// <summary>What a dispute action did: the case as it stands after it, or why nothing was done.</summary>
public sealed record DisputeAction(DisputeRefusal? Refused, string Message, DisputeReport? Case)
{
    public static DisputeAction Done(string message, DisputeReport report) => new(null, message, report);

    public static DisputeAction Refuse(DisputeRefusal why, string message) => new(why, message, null);
}
