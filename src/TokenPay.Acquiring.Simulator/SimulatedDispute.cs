using System.Globalization;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// A dispute as the simulator keeps it (times in Unix milliseconds). Before <see cref="RaiseAt"/> it is only
/// planned; once raised it carries the amount that was left of the payment then. Its ruling, closing and
/// withdrawal follow from the plan and the answer (<see cref="AdvancedTo"/>), and are kept once reached.
/// </summary>
internal sealed record SimulatedDispute
{
    public required string CaseId { get; init; }
    public required string TradeToken { get; init; }
    public required string MerchantNo { get; init; }
    public required string CardKey { get; init; }
    public required string ReasonCategory { get; init; }
    public required string ReasonCode { get; init; }
    public required string ReasonMessage { get; init; }
    public required string Currency { get; init; }
    public required long RaiseAt { get; init; }

    /// <summary>The last day (UTC) to answer, yyyy-MM-dd.</summary>
    public required string ReplyBy { get; init; }

    /// <summary>How the issuer rules once the merchant answered: WIN or FAIL.</summary>
    public required string RulingIfAnswered { get; init; }

    /// <summary>When the cardholder withdraws the dispute; null: never.</summary>
    public long? WithdrawAt { get; init; }

    public long? AmountMinor { get; init; }
    public long? FeeMinor { get; init; }

    /// <summary>Nothing was left of the payment at <see cref="RaiseAt"/>: the case never existed for the merchant.</summary>
    public bool NotRaised { get; init; }

    public long? AnsweredAt { get; init; }
    public string? EvidenceText { get; init; }
    public string? EvidenceFiles { get; init; }
    public string? Ruling { get; init; }
    public long? RuledAt { get; init; }
    public long? ClosedAt { get; init; }
    public long? CancelledAt { get; init; }

    public bool Raised => AmountMinor is not null;

    public DateOnly ReplyByDate => DateOnly.ParseExact(ReplyBy, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public long AnswerWindowEndsAt => DisputeRules.AnswerWindowEnds(ReplyByDate).ToUnixTimeMilliseconds();

    /// <summary>True while the merchant may answer at <paramref name="now"/> (the case advanced to then).</summary>
    public bool TakesAnswerAt(long now) => Raised && RaiseAt <= now && RuledAt is null && CancelledAt is null && now < AnswerWindowEndsAt;

    // An answered case is ruled as planned 10 days later; an unanswered one is lost when its answer window ends.
    private (long At, string Ruling) PlannedRuling =>
        AnsweredAt is { } answered ? (answered + (long)DisputeRules.RulingAfterAnswer.TotalMilliseconds, RulingIfAnswered) : (AnswerWindowEndsAt, DisputeRules.Fail);

    /// <summary>The case once every change due by <paramref name="now"/> happened, each at the time it fell due.</summary>
    public SimulatedDispute AdvancedTo(long now)
    {
        var advanced = this;
        if (Raised && RuledAt is null && CancelledAt is null)
        {
            var (rulingAt, ruling) = PlannedRuling;
            if (WithdrawAt is { } withdrawAt && withdrawAt <= now && withdrawAt <= rulingAt)
            {
                advanced = advanced with { CancelledAt = withdrawAt };
            }
            else if (rulingAt <= now)
            {
                advanced = advanced with { Ruling = ruling, RuledAt = rulingAt };
            }
        }

        return advanced is { RuledAt: { } ruledAt, ClosedAt: null } && ruledAt + (long)DisputeRules.ClosingAfterRuling.TotalMilliseconds <= now
            ? advanced with { ClosedAt = ruledAt + (long)DisputeRules.ClosingAfterRuling.TotalMilliseconds }
            : advanced;
    }

    /// <summary>When the case changes next on its own (raised, withdrawn, ruled, closed); null when it is final.</summary>
    public long? NextChangeAt()
    {
        if (NotRaised || CancelledAt is not null || ClosedAt is not null)
        {
            return null;
        }

        if (!Raised)
        {
            return RaiseAt;
        }

        if (RuledAt is { } ruledAt)
        {
            return ruledAt + (long)DisputeRules.ClosingAfterRuling.TotalMilliseconds;
        }

        return Math.Min(WithdrawAt ?? long.MaxValue, PlannedRuling.At);
    }

    /// <summary>The stages the case reached, each with when.</summary>
    public IEnumerable<(DisputeStage Stage, long At)> Stages()
    {
        if (!Raised)
        {
            yield break;
        }

        yield return (DisputeStage.Raised, RaiseAt);
        if (RuledAt is { } ruledAt)
        {
            yield return (DisputeStage.Ruled, ruledAt);
        }

        if (ClosedAt is { } closedAt)
        {
            yield return (DisputeStage.Closed, closedAt);
        }

        if (CancelledAt is { } cancelledAt)
        {
            yield return (DisputeStage.Cancelled, cancelledAt);
        }
    }

    public static string ReportId(string caseId, DisputeStage stage) => $"{caseId}:{stage}";

    /// <summary>The report of one stage, with the whole case as it stands now.</summary>
    public DisputeReport Report(DisputeStage stage, long at) => new(
        ReportId(CaseId, stage), CaseId, TradeToken, stage, ReasonCategory, ReasonCode, ReasonMessage,
        AmountMinor ?? 0, FeeMinor ?? 0, Currency, DateTimeOffset.FromUnixTimeMilliseconds(RaiseAt), ReplyByDate,
        DateTimeOffset.FromUnixTimeMilliseconds(at), stage is DisputeStage.Ruled or DisputeStage.Closed ? Ruling == DisputeRules.Win : null);
}

/// <summary>What the simulator knows of an approved payment: who took it, from which card, how much.</summary>
internal sealed record ApprovedPayment
{
    public required string MerchantNo { get; init; }
    public required string CardKey { get; init; }
    public required string CardBrand { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
}
