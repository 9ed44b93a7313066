using System.Collections.Frozen;

namespace TokenPay.Gateway.Vault;

/// <summary>
/// The issuing country of a card by its BIN (first six digits), as far as the gateway knows it: the simulator's
/// test cards (docs/protocol.md 7). A real acquirer's BIN table knows every card; here any other card's country
/// is not known (null), and an order that needs one falls back as docs/protocol.md 3.1 says.
/// </summary>
internal static class IssuingCountries
{
    private static readonly FrozenDictionary<string, string> ByBin = new Dictionary<string, string>
    {
        ["400000"] = "US",
        ["520000"] = "US",
        ["424242"] = "US",
        ["444433"] = "GB",
        ["555555"] = "US",
        ["378282"] = "US",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The country that issued the card, from a full or masked number (only the first six digits are read); null when not known.</summary>
    public static string? Of(string cardNumber) =>
        cardNumber.Length >= 6 && ByBin.TryGetValue(cardNumber[..6], out var country) ? country : null;
}
