using TokenPay.Protocol;

namespace TokenPay.Merchant.Payments;

/// <summary>What to do after a declined MIT attempt: retry at a time, or stop (and whether the customer must act).</summary>
internal sealed record RetryPlan(DateTimeOffset? RetryAt, string Note, bool NeedsCustomer)
{
    public static RetryPlan Stop(string note, bool needsCustomer = false) => new(null, note, needsCustomer);
}

/// <summary>
/// Smart retries of declined merchant-initiated charges (docs/stored-credentials.md, "Smart retries"): the
/// network's advice decides. Never after do-not-retry advice (category 1, MAC 03, MAC 21) or a data-quality
/// decline; at the advised time after MAC 24-30; an hour after MAC 01 (the gateway has the card's new details
/// by then); otherwise on the configured schedule counted from the first decline (1, 3 and 5 days). Never
/// more retries than the schedule has, never later than 30 days after the first decline, and never beyond the
/// card network's retry limits (<see cref="NetworkRetryLimits"/>: Visa 20 in 30 days, Mastercard 10 in 24 hours
/// and 35 in 30 days): a due retry past one waits until the limit allows it.
/// </summary>
internal static class SmartRetries
{
    public static readonly IReadOnlyList<TimeSpan> DefaultSchedule = [TimeSpan.FromDays(1), TimeSpan.FromDays(3), TimeSpan.FromDays(5)];

    /// <summary>How long after the first decline a charge may still be retried.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>After MAC 01 the gateway has refreshed the card at once; a short pause is enough.</summary>
    public static readonly TimeSpan AfterNewAccountInformation = TimeSpan.FromHours(1);

    /// <param name="declinedAttempt">The attempt just declined (1 = the charge's first payment).</param>
    /// <param name="firstDeclinedAt">When the charge's first attempt was declined.</param>
    public static RetryPlan Plan(int declinedAttempt, DateTimeOffset firstDeclinedAt, DateTimeOffset declinedAt, int? category, string? merchantAdviceCode, IReadOnlyList<TimeSpan> schedule)
    {
        if (NetworkAdvice.ForbidsRetry(category, merchantAdviceCode))
        {
            return RetryPlan.Stop($"Not retried: the network advised never to retry (category {category?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, merchant advice code {merchantAdviceCode ?? "none"}). The customer must give another card.", needsCustomer: true);
        }

        if (category == NetworkAdvice.DataQuality && merchantAdviceCode != NetworkAdvice.NewAccountInformation)
        {
            return RetryPlan.Stop("Not retried: the issuer asks to revalidate the card details (category 3). The customer must update the card.", needsCustomer: true);
        }

        if (declinedAttempt > schedule.Count)
        {
            return RetryPlan.Stop($"No more retries: the charge was retried {schedule.Count} times.");
        }

        var (at, why) = merchantAdviceCode == NetworkAdvice.NewAccountInformation ? (declinedAt + AfterNewAccountInformation, "after new account information (MAC 01)")
            : NetworkAdvice.RetryDelay(merchantAdviceCode) is { } wait ? (declinedAt + wait, $"as advised (MAC {merchantAdviceCode})")
            : (firstDeclinedAt + schedule[declinedAttempt - 1], "on the retry schedule");
        if (at > firstDeclinedAt + Window)
        {
            return RetryPlan.Stop($"No more retries: the next one would fall more than {Window.TotalDays:0} days after the first decline.");
        }

        var next = at < declinedAt ? declinedAt : at;
        return new RetryPlan(next, $"Retry {declinedAttempt} of {schedule.Count} due {PayerMaxTime.Format(next)}, {why}.", NeedsCustomer: false);
    }

    /// <summary>
    /// Whether a due retry may be sent now under the retry limits of the card's network (every modelled network's
    /// when the brand is unknown): null to send it; otherwise when the limit next allows it, or stop when that falls
    /// more than <see cref="Window"/> after the first decline.
    /// </summary>
    /// <param name="reattemptsOnCard">
    /// When the card's earlier reattempts were made, as its network counts them: every MIT on the card that followed a
    /// declined one, a retry or another charge's first payment alike.
    /// </param>
    public static RetryPlan? Pace(string? brand, IReadOnlyList<DateTimeOffset> reattemptsOnCard, DateTimeOffset firstDeclinedAt, DateTimeOffset now)
    {
        var (limit, allowedAt) = NetworkRetryLimits.ToKeep(brand).Select(l => (l, l.AllowsAt(reattemptsOnCard, now))).MaxBy(l => l.Item2);
        if (allowedAt <= now)
        {
            return null;
        }

        var why = $"this card had {limit.Reattempts} reattempts in {limit.WindowInWords()}, {limit.Network}'s limit";
        return allowedAt > firstDeclinedAt + Window
            ? RetryPlan.Stop($"No more retries: {why}, and the next would fall more than {Window.TotalDays:0} days after the first decline.")
            : new RetryPlan(allowedAt, $"Retry waits until {PayerMaxTime.Format(allowedAt)}: {why}.", NeedsCustomer: false);
    }
}
