using TokenPay.Protocol;

namespace TokenPay.Acquiring;

/// <summary>
/// A card in the clear. Lives only in memory for the length of a request; the CVV is never stored
/// anywhere. ToString is masked so a stray log line cannot leak it.
/// </summary>
public sealed record PlainCard(string Pan, string? HolderName, int ExpiryMonth, int ExpiryYear, string? Cvv)
{
    public string Brand => Cards.Brand(Pan);

    /// <summary>The first instant after the card's expiry month, UTC.</summary>
    public DateTimeOffset ValidUntil => Cards.ValidUntil(ExpiryMonth, ExpiryYear);

    public override string ToString() => $"PlainCard {{ Pan = {Cards.Mask(Pan)}, Expiry = {ExpiryMonth:00}/{ExpiryYear % 100:00} }}";
}
