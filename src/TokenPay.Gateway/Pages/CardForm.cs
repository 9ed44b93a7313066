using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Pages;

/// <summary>
/// The card fields of the cashier and the Drop-in frame. The card number and CVV are never written back
/// into a page: after an error they are entered again.
/// </summary>
internal static class CardForm
{
    public static CardInfo Read(IFormCollection form) => new()
    {
        CardIdentifierNo = Digits(form["cardIdentifierNo"]),
        CardHolderFullName = form["cardHolderFullName"].ToString().Trim() is { Length: > 0 } name ? name : null,
        CardExpirationMonth = form["cardExpirationMonth"].ToString().Trim(),
        CardExpirationYear = form["cardExpirationYear"].ToString().Trim(),
        Cvv = form["cvv"].ToString().Trim(),
    };

    /// <summary>Spaces and dashes people type inside card numbers are dropped; anything else is kept for the rules to judge.</summary>
    public static string Digits(string? text) => new((text ?? "").Where(c => c is not (' ' or '-')).ToArray());

    public static string Fields(CardInfo? previous, CardProblem? problem) => $"""
        <label>Card number<input name="cardIdentifierNo" id="cardIdentifierNo" {Invalid(problem, "cardIdentifierNo")} inputmode="numeric" autocomplete="cc-number" maxlength="23" required></label>
        {Error(problem, "cardIdentifierNo")}
        <label>Name on card<input name="cardHolderFullName" id="cardHolderFullName" {Invalid(problem, "cardHolderFullName")} autocomplete="cc-name" maxlength="128" value="{HtmlPage.Encode(previous?.CardHolderFullName)}"></label>
        {Error(problem, "cardHolderFullName")}
        <div class="row">
          <label>Month (MM)<input name="cardExpirationMonth" id="cardExpirationMonth" {Invalid(problem, "cardExpirationMonth")} inputmode="numeric" autocomplete="cc-exp-month" maxlength="2" required value="{HtmlPage.Encode(previous?.CardExpirationMonth)}"></label>
          <label>Year (YY)<input name="cardExpirationYear" id="cardExpirationYear" {Invalid(problem, "cardExpirationYear")} inputmode="numeric" autocomplete="cc-exp-year" maxlength="4" required value="{HtmlPage.Encode(previous?.CardExpirationYear)}"></label>
          <label>CVV<input name="cvv" id="cvv" {Invalid(problem, "cvv")} inputmode="numeric" autocomplete="cc-csc" maxlength="4" required></label>
        </div>
        {Error(problem, "cardExpirationMonth")}{Error(problem, "cardExpirationYear")}{Error(problem, "cvv")}
        <p class="error" id="form-error" role="alert"></p>
        """;

    /// <summary>The country choice the cashier adds when nobody has named the order's country (docs/protocol.md 2.1).</summary>
    public static string CountryField(string? chosen, CardProblem? problem)
    {
        var options = string.Concat(Countries.All.Select(code => $"""<option{(code == chosen ? " selected" : "")}>{code}</option>"""));
        return $"""
            <label>Country or region<select name="country" id="country" {Invalid(problem, "country")} autocomplete="country" required><option value="">Choose</option>{options}</select></label>
            {Error(problem, "country")}
            """;
    }

    /// <summary>What the customer agrees to when the card is saved, in the order's own terms.</summary>
    public static string Consent(bool saves, string? mitType) => !saves ? "" : mitType switch
    {
        Wire.MitUnscheduled => """<p class="notice" id="consent">Your card will be saved. You authorise the merchant to charge it later without you being present, at times and for amounts that depend on your use (unscheduled payments). You can remove the card at any time.</p>""",
        Wire.MitScheduled => """<p class="notice" id="consent">Your card will be saved. You authorise the merchant to charge it on the agreed schedule without you being present. You can remove the card at any time.</p>""",
        _ => """<p class="notice" id="consent">Your card will be saved so you can pay faster next time. It will only be charged when you pay.</p>""",
    };

    private static string Invalid(CardProblem? problem, string field) =>
        problem?.Field == field ? $"aria-invalid=\"true\" aria-describedby=\"error-{field}\"" : "";

    private static string Error(CardProblem? problem, string field) =>
        problem?.Field == field ? $"""<p class="error" id="error-{field}" role="alert">{HtmlPage.Encode(problem.HumanMessage)}</p>""" : "";
}
