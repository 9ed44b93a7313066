using TokenPay.Protocol;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulator's test cards (README, "Sandbox"; docs/stored-credentials.md), in families: every valid 16-digit
/// number 400000 ****** LLLL (Visa) or 520000 ****** LLLL (Mastercard) behaves as the card with those last four
/// digits, so a test can give each customer a card of their own (network state such as retry counts is per card)
/// and meet each network's retry limits. Any other valid, unexpired card is approved. The advice cards decline only merchant-initiated payments, so they can be stored first.
/// </summary>
internal static class TestCards
{
    public const string Challenge = "3220";
    public const string InsufficientFunds = "9995";
    public const string IssuerRejects = "0002";
    public const string ExpiryInvalid = "0069";
    public const string CvvInvalid = "0127";
    public const string DeclinesMit = "0341";

    /// <summary>How long after the simulator first saw an account-updater card its issuer changes it.</summary>
    public static readonly TimeSpan IssuerChangeAfter = TimeSpan.FromDays(7);

    /// <summary>How far a reissued card's expiry moves.</summary>
    public const int ReissueYears = 3;

    public const string ReissuedWithNewExpiry = "1117";
    public const string ReplacedWithNewNumber = "2222";
    public const string Replacement = "3337";
    public const string ClosedByIssuer = "4442";

    /// <summary>The first six digits of the Visa and the Mastercard members of every family.</summary>
    private static readonly string[] FamilyPrefixes = ["400000", "520000"];

    /// <summary>A declined merchant-initiated payment's code, message and advice, and when the issuer approves again.</summary>
    /// <param name="ApprovesAfter">From the first decline of a run of declines: a retry at or after this approves; null: never.</param>
    public sealed record MitDecline(string Code, string Message, DeclineAdvice Advice, TimeSpan? ApprovesAfter);

    /// <summary>Families whose issuer declines merchant-initiated payments with the network's advice, by last four digits.</summary>
    public static readonly IReadOnlyDictionary<string, MitDecline> MitDeclines = BuildMitDeclines();

    /// <summary>The test-card family of a card (its last four digits), or "" for any other card.</summary>
    public static string Family(string pan) => pan.Length == 16 && FamilyPrefixes.Any(prefix => pan.StartsWith(prefix, StringComparison.Ordinal)) ? pan[^4..] : "";

    /// <summary>
    /// The account a card number belongs to: a replacement card continues its predecessor's account (and stored
    /// credential). Digit 12 is left out: with the last four fixed, the Luhn check decides it.
    /// </summary>
    public static string AccountOf(string pan) => Family(pan) switch
    {
        "" => pan,
        Replacement => pan[..11] + ReplacedWithNewNumber,
        _ => pan[..11] + pan[12..],
    };

    /// <summary>The number an issuer gives a replaced card: the same digits, last four 3337.</summary>
    public static string ReplacementFor(string pan) =>
        Enumerable.Range(0, 10).Select(d => $"{pan[..11]}{d}{Replacement}").First(candidate => Cards.IsValidPan(candidate));

    public static bool IsAccountUpdaterCard(string pan) => Family(pan) is ReissuedWithNewExpiry or ReplacedWithNewNumber or Replacement or ClosedByIssuer;

    private static Dictionary<string, MitDecline> BuildMitDeclines()
    {
        var declines = new Dictionary<string, MitDecline>
        {
            [DeclinesMit] = new(ResultCodes.IssuerPaymentRejected, "The issuer declines merchant-initiated payments on this card.", new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.StopRecurring), null),
            ["0101"] = new(ResultCodes.IssuerPaymentRejected, "The issuer will never approve this card (lost or stolen).", new(NetworkAdvice.IssuerNeverApproves, null), null),
            ["0135"] = new(ResultCodes.CardInvalid, "The issuer asks to revalidate the card details.", new(NetworkAdvice.DataQuality, null), null),
            ["0994"] = new(ResultCodes.BalanceInsufficient, "Insufficient funds (funds arrive 2 days after the first decline).", new(NetworkAdvice.IssuerCannotApproveNow, null), TimeSpan.FromDays(2)),
            ["0028"] = new(ResultCodes.IssuerPaymentRejected, "The issuer cannot approve now; try again later (approves 3 days after the first decline).", new(NetworkAdvice.IssuerCannotApproveNow, NetworkAdvice.TryAgainLater), TimeSpan.FromDays(3)),
            ["0036"] = new(ResultCodes.IssuerPaymentRejected, "Do not try again.", new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.DoNotTryAgain), null),
            ["0218"] = new(ResultCodes.IssuerPaymentRejected, "The cardholder stopped stored-credential payments to this merchant.", new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.StopRecurring), null),
        };

        // Last four 0MMc: merchant advice code MM (24-30), approved once its wait has passed.
        foreach (var family in (string[])["0242", "0259", "0267", "0275", "0283", "0291", "0309"])
        {
            var code = family[1..3];
            var wait = NetworkAdvice.RetryDelay(code)!.Value;
            declines[family] = new(ResultCodes.IssuerPaymentRejected, $"The issuer cannot approve now; retry after {Describe(wait)} (merchant advice code {code}).", new(NetworkAdvice.IssuerCannotApproveNow, code), wait);
        }

        return declines;
    }

    private static string Describe(TimeSpan wait) => wait.TotalDays >= 1 ? $"{wait.TotalDays:0} day{(wait.TotalDays > 1 ? "s" : "")}" : $"{wait.TotalHours:0} hour";
}
