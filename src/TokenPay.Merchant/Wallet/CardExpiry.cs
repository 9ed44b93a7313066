using System.Globalization;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Wallet;

/// <summary>A card's expiry as the card shows it and the card form asks for it: MM/YY.</summary>
public static class CardExpiry
{
    /// <summary>MM/YY of the gateway's paymentTokenExpiry (the last moment the card is valid); "" when unknown.</summary>
    public static string Format(string? paymentTokenExpiry) =>
        PayerMaxTime.TryParse(paymentTokenExpiry, out var until)
            ? until.UtcDateTime.ToString("MM'/'yy", CultureInfo.InvariantCulture)
            : paymentTokenExpiry ?? "";
}
