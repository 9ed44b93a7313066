using TokenPay.Protocol;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulator's test cards (README, "Sandbox"; docs/stored-credentials.md). Any other valid, unexpired card
/// is approved. The advice cards decline only merchant-initiated payments, so they can be stored first.
/// </summary>
internal static class TestCards
{
    public const string Challenge = "4000000000003220";
    public const string InsufficientFunds = "4000000000009995";
    public const string IssuerRejects = "4000000000000002";
    public const string ExpiryInvalid = "4000000000000069";
    public const string CvvInvalid = "4000000000000127";
    public const string DeclinesMit = "4000000000000341";

    /// <summary>How long after the simulator first saw an account-updater card its issuer changes it.</summary>
    public static readonly TimeSpan IssuerChangeAfter = TimeSpan.FromDays(7);

    /// <summary>How far a reissued card's expiry moves.</summary>
    public const int ReissueYears = 3;

    public const string ReissuedWithNewExpiry = "4000000000001117";
    public const string ReplacedWithNewNumber = "4000000000002222";
    public const string Replacement = "4000000000003337";
    public const string ClosedByIssuer = "4000000000004442";

    /// <summary>A declined merchant-initiated payment's code, message and advice, and when the issuer approves again.</summary>
    /// <param name="ApprovesAfter">From the first decline of a run of declines: a retry at or after this approves; null: never.</param>
    public sealed record MitDecline(string Code, string Message, DeclineAdvice Advice, TimeSpan? ApprovesAfter);

    /// <summary>Cards whose issuer declines merchant-initiated payments with the network's advice.</summary>
    public static readonly IReadOnlyDictionary<string, MitDecline> MitDeclines = BuildMitDeclines();

    /// <summary>The account a card number belongs to: a replacement card continues its predecessor's account (and stored credential).</summary>
    public static string AccountOf(string pan) => pan == Replacement ? ReplacedWithNewNumber : pan;

    public static bool IsAccountUpdaterCard(string pan) => pan is ReissuedWithNewExpiry or ReplacedWithNewNumber or ClosedByIssuer;

    private static Dictionary<string, MitDecline> BuildMitDeclines()
    {
        var declines = new Dictionary<string, MitDecline>
        {
            [DeclinesMit] = new(ResultCodes.IssuerPaymentRejected, "The issuer declines merchant-initiated payments on this card.", new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.StopRecurring), null),
            ["4000000000000101"] = new(ResultCodes.IssuerPaymentRejected, "The issuer will never approve this card (lost or stolen).", new(NetworkAdvice.IssuerNeverApproves, null), null),
            ["4000000000000135"] = new(ResultCodes.CardInvalid, "The issuer asks to revalidate the card details.", new(NetworkAdvice.DataQuality, null), null),
            ["4000000000000994"] = new(ResultCodes.BalanceInsufficient, "Insufficient funds (funds arrive 2 days after the first decline).", new(NetworkAdvice.IssuerCannotApproveNow, null), TimeSpan.FromDays(2)),
            ["4000000000000028"] = new(ResultCodes.IssuerPaymentRejected, "The issuer cannot approve now; try again later (approves 3 days after the first decline).", new(NetworkAdvice.IssuerCannotApproveNow, NetworkAdvice.TryAgainLater), TimeSpan.FromDays(3)),
            ["4000000000000036"] = new(ResultCodes.IssuerPaymentRejected, "Do not try again.", new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.DoNotTryAgain), null),
            ["4000000000000218"] = new(ResultCodes.IssuerPaymentRejected, "The cardholder stopped stored-credential payments to this merchant.", new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.StopRecurring), null),
        };

        // 4000 0000 0000 0MMc: merchant advice code MM (24-30), approved once its wait has passed.
        string[] retryCards = ["4000000000000242", "4000000000000259", "4000000000000267", "4000000000000275", "4000000000000283", "4000000000000291", "4000000000000309"];
        foreach (var pan in retryCards)
        {
            var code = pan[13..15];
            var wait = NetworkAdvice.RetryDelay(code)!.Value;
            declines[pan] = new(ResultCodes.IssuerPaymentRejected, $"The issuer cannot approve now; retry after {Describe(wait)} (merchant advice code {code}).", new(NetworkAdvice.IssuerCannotApproveNow, code), wait);
        }

        return declines;
    }

    private static string Describe(TimeSpan wait) => wait.TotalDays >= 1 ? $"{wait.TotalDays:0} day{(wait.TotalDays > 1 ? "s" : "")}" : $"{wait.TotalHours:0} hour";
}
