using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulated networks' dispute rules (docs/disputes.md): which approvals are disputed and when, the reason
/// codes of each network, the fee, and a case's timeline (answer window, ruling, closing, withdrawal).
/// </summary>
internal static class DisputeRules
{
    public const string SubjectPrefix = "DISPUTE_";
    public const string Win = CaseResults.Win;
    public const string Fail = CaseResults.Fail;

    /// <summary>The merchant may answer until the end (UTC) of the day this many days after the case was raised.</summary>
    public const int AnswerDays = 14;

    /// <summary>The issuer rules this long after an answer.</summary>
    public static readonly TimeSpan RulingAfterAnswer = TimeSpan.FromDays(10);

    /// <summary>A ruled case closes this long after the ruling.</summary>
    public static readonly TimeSpan ClosingAfterRuling = TimeSpan.FromDays(1);

    /// <summary>The network's fee: 1.5 % of the disputed amount.</summary>
    public const decimal FeeRate = 0.015m;

    /// <summary>When a dispute of each family is raised after the payment (subjects, and the sandbox's default).</summary>
    private static readonly Dictionary<string, TimeSpan> RaisedAfter = new()
    {
        [DisputeReasons.Fraud] = TimeSpan.FromDays(20),
        [DisputeReasons.NotReceived] = TimeSpan.FromDays(15),
        [DisputeReasons.Duplicate] = TimeSpan.FromDays(7),
        [DisputeReasons.CancelledRecurring] = TimeSpan.FromDays(30),
        [DisputeReasons.NotAsDescribed] = TimeSpan.FromDays(10),
        [DisputeReasons.CreditNotProcessed] = TimeSpan.FromDays(10),
    };

    /// <summary>The dispute test cards by last four digits (TestCards' families).</summary>
    private static readonly Dictionary<string, DisputePlan> ByCard = new()
    {
        ["7010"] = new(DisputeReasons.Fraud, TimeSpan.FromDays(20), Win, null),
        ["7028"] = new(DisputeReasons.Fraud, TimeSpan.FromDays(20), Fail, null),
        ["7036"] = new(DisputeReasons.NotReceived, TimeSpan.FromDays(15), Win, null),
        ["7044"] = new(DisputeReasons.Duplicate, TimeSpan.FromDays(7), Win, null),
        ["7051"] = new(DisputeReasons.CancelledRecurring, TimeSpan.FromDays(30), Win, null),
        ["7069"] = new(DisputeReasons.NotAsDescribed, TimeSpan.FromDays(10), Win, TimeSpan.FromDays(5)),
    };

    /// <summary>Each family's reason code and words on Visa and on Mastercard.</summary>
    private static readonly Dictionary<string, (ReasonCode Visa, ReasonCode Mastercard)> Codes = new()
    {
        [DisputeReasons.Fraud] = (new("10.4", "Other Fraud: Card-Absent Environment"), new("4837", "No Cardholder Authorization")),
        [DisputeReasons.NotReceived] = (new("13.1", "Merchandise/Services Not Received"), new("4855", "Goods or Services Not Provided")),
        [DisputeReasons.Duplicate] = (new("12.6.1", "Duplicate Processing"), new("4834", "Duplicate Processing")),
        [DisputeReasons.CancelledRecurring] = (new("13.2", "Cancelled Recurring Transaction"), new("4841", "Cancelled Recurring or Digital Goods Transactions")),
        [DisputeReasons.NotAsDescribed] = (new("13.3", "Not as Described or Defective Merchandise/Services"), new("4853", "Cardholder Dispute: Defective/Not as Described")),
        [DisputeReasons.CreditNotProcessed] = (new("13.6", "Credit Not Processed"), new("4860", "Credit Not Processed")),
    };

    /// <summary>The dispute an approval on this card with this subject will get, if any: a DISPUTE_ subject first, then the test card.</summary>
    public static DisputePlan? PlanFor(string pan, string subject)
    {
        if (subject.StartsWith(SubjectPrefix, StringComparison.Ordinal) && Category(subject[SubjectPrefix.Length..]) is { } category)
        {
            return new(category, RaisedAfter[category], Win, null);
        }

        return ByCard.GetValueOrDefault(TestCards.Family(pan));
    }

    /// <summary>The family a name stands for (FRAUD, fraud, not-received, ...); null for none.</summary>
    public static string? Category(string name)
    {
        var normalized = name.Trim().Replace('-', '_').ToUpperInvariant();
        return DisputeReasons.All.FirstOrDefault(c => c == normalized);
    }

    /// <summary>The network's reason code for a family: Mastercard's on a Mastercard, Visa's on any other card.</summary>
    public static ReasonCode CodeOf(string category, string cardBrand) =>
        cardBrand == "MASTERCARD" ? Codes[category].Mastercard : Codes[category].Visa;

    /// <summary>1.5 % of the disputed amount, rounded half up to the currency's minor digits, at least one minor unit.</summary>
    public static long FeeMinor(long amountMinor, string currency)
    {
        var fee = Math.Round(Currencies.FromMinorUnits(amountMinor, currency) * FeeRate, Currencies.MinorDigits(currency), MidpointRounding.AwayFromZero);
        Currencies.TryToMinorUnits(fee, currency, out var feeMinor);
        return Math.Max(1, feeMinor);
    }

    /// <summary>The last day to answer a case raised at <paramref name="raisedAt"/>.</summary>
    public static DateOnly ReplyBy(DateTimeOffset raisedAt) => DateOnly.FromDateTime(raisedAt.UtcDateTime).AddDays(AnswerDays);

    /// <summary>The first instant after the reply-by day (UTC): from then on no answer is taken.</summary>
    public static DateTimeOffset AnswerWindowEnds(DateOnly replyBy) => new(replyBy.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>A dispute planned at approval: its family, when it is raised, how the issuer rules an answer, and a withdrawal.</summary>
/// <param name="RulingIfAnswered">WIN or FAIL: how the issuer rules once the merchant answered.</param>
/// <param name="WithdrawAfter">The cardholder withdraws this long after raising it; null: never.</param>
internal sealed record DisputePlan(string Category, TimeSpan RaisedAfter, string RulingIfAnswered, TimeSpan? WithdrawAfter);

internal sealed record ReasonCode(string Code, string Message);
