using System.Security.Cryptography;
using System.Text.Json;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulated networks' side of disputes (docs/disputes.md): the case an approval will get, the feed of
/// reports the gateway pulls and acknowledges, the merchant's answers, and a card's due cases raised before a
/// merchant-initiated payment on it is decided.
/// </summary>
internal sealed class DisputeNetwork(SimulatorDisputeStore disputes, TimeProvider clock)
{
    /// <summary>What the simulator keeps of a decision: for an approval with an amount, the payment and the dispute planned on it.</summary>
    public static (ApprovedPayment? Payment, SimulatedDispute? Planned) Approval(AuthorizationRequest request, string? cardKey, AuthorizationOutcome outcome, DateTimeOffset decidedAt)
    {
        if (outcome.Decision != AuthorizationDecision.Approved || request.AmountMinor == 0 || cardKey is null)
        {
            return (null, null);
        }

        var payment = new ApprovedPayment { MerchantNo = request.MerchantNo, CardKey = cardKey, CardBrand = request.Card.Brand, AmountMinor = request.AmountMinor, Currency = request.Currency };
        return DisputeRules.PlanFor(request.Card.Pan, request.Subject) is { } plan
            ? (payment, NewCase(request.TradeToken, payment, plan.Category, decidedAt + plan.RaisedAfter, plan.RulingIfAnswered, plan.WithdrawAfter, amountMinor: null))
            : (payment, null);
    }

    /// <summary>A case on a payment, raised at <paramref name="raiseAt"/> (with its amount when raised now, otherwise planned).</summary>
    public static SimulatedDispute NewCase(string tradeToken, ApprovedPayment payment, string category, DateTimeOffset raiseAt, string rulingIfAnswered, TimeSpan? withdrawAfter, long? amountMinor)
    {
        var reason = DisputeRules.CodeOf(category, payment.CardBrand);
        return new SimulatedDispute
        {
            CaseId = "SIMD" + RandomNumberGenerator.GetHexString(16),
            TradeToken = tradeToken,
            MerchantNo = payment.MerchantNo,
            CardKey = payment.CardKey,
            ReasonCategory = category,
            ReasonCode = reason.Code,
            ReasonMessage = reason.Message,
            Currency = payment.Currency,
            RaiseAt = raiseAt.ToUnixTimeMilliseconds(),
            ReplyBy = DisputeRules.ReplyBy(raiseAt).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            RulingIfAnswered = rulingIfAnswered,
            WithdrawAt = withdrawAfter is { } after ? (raiseAt + after).ToUnixTimeMilliseconds() : null,
            AmountMinor = amountMinor,
            FeeMinor = amountMinor is { } amount ? DisputeRules.FeeMinor(amount, payment.Currency) : null,
        };
    }

    /// <summary>Every stage reached by now and not acknowledged, oldest first, after raising and ruling what fell due.</summary>
    public async Task<DisputeFeed> FindReportsAsync(int max, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await disputes.RaiseDueAsync(now, null, null, cancellationToken);
        var (live, acknowledged) = await disputes.LiveAsync(cancellationToken);
        var reports = new List<(DisputeStage Stage, long At, SimulatedDispute Case)>();
        long? next = await disputes.NextRaiseAsync(now, cancellationToken);
        foreach (var read in live)
        {
            var current = await AdvanceAsync(read, now, cancellationToken);
            reports.AddRange(current.Stages().Where(s => !acknowledged.Contains(SimulatedDispute.ReportId(current.CaseId, s.Stage))).Select(s => (s.Stage, s.At, current)));
            if (current.NextChangeAt() is { } change && (next is null || change < next))
            {
                next = change;
            }
        }

        var due = reports.OrderBy(r => r.At).ThenBy(r => r.Stage).ThenBy(r => r.Case.CaseId, StringComparer.Ordinal).Take(max).Select(r => r.Case.Report(r.Stage, r.At)).ToList();
        return new DisputeFeed(due, next is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null);
    }

    /// <summary>The case as it stands at <paramref name="now"/>, with what fell due written down.</summary>
    public async Task<SimulatedDispute> AdvanceAsync(SimulatedDispute read, long now, CancellationToken cancellationToken)
    {
        var advanced = read.AdvancedTo(now);
        if (advanced == read || await disputes.SaveProgressAsync(read, advanced, cancellationToken))
        {
            return advanced;
        }

        // Another node (or the sandbox) moved it first: its version is the case.
        return (await disputes.FindAsync(read.CaseId, cancellationToken))!.AdvancedTo(now);
    }

    public Task AcknowledgeAsync(IReadOnlyList<string> reportIds, CancellationToken cancellationToken) =>
        disputes.AcknowledgeAsync(reportIds, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);

    /// <summary>Takes the answer while the case takes one; an answered case answers true again (the first answer stands).</summary>
    public async Task<bool> SubmitEvidenceAsync(DisputeEvidence evidence, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (await disputes.FindAsync(evidence.CaseId, cancellationToken) is not { } read)
        {
            return false;
        }

        var current = await AdvanceAsync(read, now, cancellationToken);
        if (current.AnsweredAt is not null)
        {
            // A repeat (a retry after a timeout): the answer was taken once.
            return true;
        }

        return current.TakesAnswerAt(now)
            && (await disputes.AnswerAsync(current.CaseId, evidence.Text, JsonSerializer.Serialize(evidence.FileUrls), now, cancellationToken)
                || (await disputes.FindAsync(current.CaseId, cancellationToken))?.AnsweredAt is not null);
    }

    /// <summary>Raises the planned cases on this card for this merchant whose time has come (before a merchant-initiated payment on it is decided).</summary>
    public Task RaiseDueAsync(string merchantNo, string cardKey, DateTimeOffset now, CancellationToken cancellationToken) =>
        disputes.RaiseDueAsync(now.ToUnixTimeMilliseconds(), merchantNo, cardKey, cancellationToken);
}
