using System.Globalization;
using TokenPay.Acquiring;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Vault;

/// <summary>A card field that fails a rule: the API message names the field, the human one is for pages.</summary>
internal sealed record CardProblem(string Field, string Code, string Message, string HumanMessage);

/// <summary>The card rules shared by the API, the hosted cashier and the Drop-in frame: format, Luhn, expiry, CVV length.</summary>
internal static class CardRules
{
    public static CardProblem? Check(CardInfo c, DateTimeOffset now, out PlainCard? card)
    {
        card = null;
        var pan = c.CardIdentifierNo;
        if (string.IsNullOrEmpty(pan)) return Invalid("cardIdentifierNo", "cardIdentifierNo is required.", "Enter the card number.");
        if (pan.Length is < 12 or > 19 || !pan.All(char.IsAsciiDigit)) return Invalid("cardIdentifierNo", "cardIdentifierNo must be 12 to 19 digits.", "A card number has 12 to 19 digits.");
        if (!Cards.IsValidPan(pan)) return new("cardIdentifierNo", ResultCodes.CardInvalid, "cardIdentifierNo is not a valid card number (Luhn check failed).", "This card number is not valid; check it and try again.");
        if (c.CardHolderFullName is { Length: > 128 }) return Invalid("cardHolderFullName", "cardHolderFullName must be at most 128 characters.", "The name is too long.");

        if (string.IsNullOrEmpty(c.CardExpirationMonth)) return Invalid("cardExpirationMonth", "cardExpirationMonth is required.", "Enter the expiry month.");
        if (c.CardExpirationMonth.Length > 2 || !int.TryParse(c.CardExpirationMonth, NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12)
        {
            return Invalid("cardExpirationMonth", "cardExpirationMonth must be MM (01-12).", "The expiry month is 01 to 12.");
        }

        if (string.IsNullOrEmpty(c.CardExpirationYear)) return Invalid("cardExpirationYear", "cardExpirationYear is required.", "Enter the expiry year.");
        if (c.CardExpirationYear.Length is not (2 or 4) || !int.TryParse(c.CardExpirationYear, NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return Invalid("cardExpirationYear", "cardExpirationYear must be YY (or YYYY).", "Enter the expiry year as YY.");
        }

        year = year < 100 ? 2000 + year : year;
        if (year > 2099) return Invalid("cardExpirationYear", "cardExpirationYear is out of range.", "The expiry year is not valid.");

        var brand = Cards.Brand(pan);
        var cvvLength = brand == "AMEX" ? 4 : 3;
        if (string.IsNullOrEmpty(c.Cvv)) return Invalid("cvv", "cvv is required.", "Enter the security code.");
        if (c.Cvv.Length != cvvLength || !c.Cvv.All(char.IsAsciiDigit)) return Invalid("cvv", $"cvv must be {cvvLength} digits for {brand}.", $"The security code has {cvvLength} digits.");

        var plain = new PlainCard(pan, c.CardHolderFullName, month, year, c.Cvv);
        if (now >= plain.ValidUntil)
        {
            return new("cardExpirationYear", ResultCodes.CardExpireDateInvalid, "cardExpirationMonth/Year: the card has expired.", "This card has expired.");
        }

        card = plain;
        return null;
    }

    private static CardProblem Invalid(string field, string message, string human) => new(field, ResultCodes.ParamsInvalid, message, human);
}
