namespace TokenPay.Protocol;

/// <summary>
/// The card networks' advice on a declined payment (docs/stored-credentials.md): a Visa-style decline
/// category and a Mastercard-style merchant advice code (MAC). TokenPay passes both to the merchant on the
/// FAILED answer, orderQuery and the PAYMENT notification, in <c>declineAdvice</c>.
/// </summary>
public static class NetworkAdvice
{
    /// <summary>Category 1: the issuer will never approve this credential. Do not retry.</summary>
    public const int IssuerNeverApproves = 1;

    /// <summary>Category 2: the issuer cannot approve now (funds, limits, a system issue). A later retry may work.</summary>
    public const int IssuerCannotApproveNow = 2;

    /// <summary>Category 3: data quality; revalidate the payment data (expiry, account) before trying again.</summary>
    public const int DataQuality = 3;

    /// <summary>MAC 01: new account information is available (the card was reissued); update it, then retry.</summary>
    public const string NewAccountInformation = "01";

    /// <summary>MAC 02: cannot approve at this time; try again later.</summary>
    public const string TryAgainLater = "02";

    /// <summary>MAC 03: do not try again.</summary>
    public const string DoNotTryAgain = "03";

    /// <summary>MAC 21: the cardholder stopped recurring / stored-credential payments to this merchant (or the card is closed).</summary>
    public const string StopRecurring = "21";

    /// <summary>MAC 24-30: retry after the given delay, and not before.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> RetryAfterCodes = new Dictionary<string, TimeSpan>
    {
        ["24"] = TimeSpan.FromHours(1),
        ["25"] = TimeSpan.FromHours(24),
        ["26"] = TimeSpan.FromDays(2),
        ["27"] = TimeSpan.FromDays(4),
        ["28"] = TimeSpan.FromDays(6),
        ["29"] = TimeSpan.FromDays(8),
        ["30"] = TimeSpan.FromDays(10),
    };

    /// <summary>True when the networks forbid retrying after this advice (category 1, MAC 03 or 21).</summary>
    public static bool ForbidsRetry(int? category, string? merchantAdviceCode) =>
        category == IssuerNeverApproves || merchantAdviceCode is DoNotTryAgain or StopRecurring;

    /// <summary>The wait a MAC 24-30 asks for; null for any other code.</summary>
    public static TimeSpan? RetryDelay(string? merchantAdviceCode) =>
        merchantAdviceCode is not null && RetryAfterCodes.TryGetValue(merchantAdviceCode, out var delay) ? delay : null;
}
