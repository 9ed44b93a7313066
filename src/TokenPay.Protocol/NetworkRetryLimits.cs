namespace TokenPay.Protocol;

/// <summary>
/// How many times the card networks let one merchant reattempt declined payments on one card
/// (docs/stored-credentials.md, "Retry rules", with the sources and the dates read): one table, read by the
/// sandbox acquirer, which refuses and counts the reattempt past a limit, and by the merchant's smart retries,
/// which stay within it. Retrying after do-not-retry advice is a rule of its own (<see cref="NetworkAdvice.ForbidsRetry"/>).
/// </summary>
public static class NetworkRetryLimits
{
    /// <summary>Visa's excessive-reattempt rule since 25 May 2025 (15 before): 20 reattempts in 30 days after a category 2-4 decline.</summary>
    public static readonly RetryLimit Visa30Days = new("VISA", "Visa", 20, TimeSpan.FromDays(30), "VISA_EXCESSIVE_REATTEMPTS");

    /// <summary>Mastercard's Excessive Attempts (Transaction Processing Excellence): 10 reattempts in 24 hours.</summary>
    public static readonly RetryLimit Mastercard24Hours = new("MASTERCARD", "Mastercard", 10, TimeSpan.FromHours(24), "MASTERCARD_EXCESSIVE_ATTEMPTS_24H");

    /// <summary>Mastercard's Excessive Attempts since 1 November 2023: 35 reattempts in 30 days.</summary>
    public static readonly RetryLimit Mastercard30Days = new("MASTERCARD", "Mastercard", 35, TimeSpan.FromDays(30), "MASTERCARD_EXCESSIVE_ATTEMPTS_30D");

    /// <summary>Every limit modelled, of every network.</summary>
    public static readonly IReadOnlyList<RetryLimit> All = [Visa30Days, Mastercard24Hours, Mastercard30Days];

    /// <summary>The longest window of any limit: a decline older than this starts no count.</summary>
    public static readonly TimeSpan LongestWindow = All.Max(l => l.Window);

    /// <summary>The limits of the network of a card brand (<see cref="Cards.Brand"/>); none for networks whose rules are not modelled.</summary>
    public static IReadOnlyList<RetryLimit> Of(string? brand) => [.. All.Where(l => l.Brand == brand)];

    /// <summary>The limits a merchant keeps for a card: its network's, or every modelled network's when the brand is unknown or not modelled.</summary>
    public static IReadOnlyList<RetryLimit> ToKeep(string? brand) => Of(brand) is { Count: > 0 } own ? own : All;
}

/// <summary>At most <paramref name="Reattempts"/> reattempts of declined payments on one card with one merchant in any <paramref name="Window"/>.</summary>
/// <param name="Brand">The card brand the network's rule applies to, as <see cref="Cards.Brand"/> names it.</param>
/// <param name="Network">The network's name, for people.</param>
/// <param name="Reattempts">How many reattempts the window allows; the next one is excessive.</param>
/// <param name="Window">The rolling window the reattempts are counted in.</param>
/// <param name="Violation">The code an excessive reattempt is counted under.</param>
public sealed record RetryLimit(string Brand, string Network, int Reattempts, TimeSpan Window, string Violation)
{
    /// <summary>The window in words: "30 days", "24 hours".</summary>
    public string WindowInWords() => Window > TimeSpan.FromDays(1)
        ? FormattableString.Invariant($"{Window.TotalDays:0} days")
        : FormattableString.Invariant($"{Window.TotalHours:0} hours");

    /// <summary>
    /// When this limit next allows a reattempt, given the earlier reattempts on the card: <paramref name="now"/> while the
    /// window holds fewer than <see cref="Reattempts"/>, otherwise the moment the oldest one that fills it leaves the window.
    /// </summary>
    public DateTimeOffset AllowsAt(IEnumerable<DateTimeOffset> earlier, DateTimeOffset now)
    {
        var recent = earlier.Where(at => at > now - Window).OrderDescending().ToList();
        return recent.Count < Reattempts ? now : recent[Reattempts - 1] + Window;
    }
}
