using TokenPay.Protocol;

namespace TokenPay.Acquiring;

/// <summary>Who starts a payment: the customer, present (CIT), or the merchant without the customer (MIT).</summary>
public enum Initiator
{
    Customer,
    Merchant,
}

/// <summary>Whether the payment involves a stored credential, and how.</summary>
public enum CredentialUse
{
    /// <summary>The card is used once and not stored.</summary>
    NotStored,

    /// <summary>The customer consents to storing the card with this payment (or zero-amount verification).</summary>
    First,

    /// <summary>A later payment with the stored card.</summary>
    Subsequent,
}

/// <summary>What the stored credential is for (the customer's consent at the first use).</summary>
public enum CredentialUsage
{
    Unscheduled,
    Scheduled,
}

/// <summary>
/// The stored-credential indicators a card network expects on every authorization (docs/stored-credentials.md).
/// </summary>
/// <param name="InitialTransactionId">On a subsequent use: the network transaction id of the customer-initiated transaction that stored the card.</param>
/// <param name="Legacy">
/// The credential was stored before its network transaction id was kept: networks accept subsequent uses of
/// such credentials without one (Visa's rule for credentials stored before the framework).
/// </param>
public sealed record StoredCredential(Initiator Initiator, CredentialUse Use, CredentialUsage Usage, string? InitialTransactionId = null, bool Legacy = false)
{
    /// <summary>A one-off customer payment with a card that is not stored.</summary>
    public static readonly StoredCredential OneOff = new(Initiator.Customer, CredentialUse.NotStored, CredentialUsage.Unscheduled);

    /// <summary>The usage a protocol <c>mitType</c> stands for (absent: unscheduled).</summary>
    public static CredentialUsage UsageOf(string? mitType) => mitType == Wire.MitScheduled ? CredentialUsage.Scheduled : CredentialUsage.Unscheduled;
}

/// <summary>The network's advice on a decline (<see cref="NetworkAdvice"/>).</summary>
/// <param name="Category">Visa-style: 1, 2 or 3.</param>
/// <param name="MerchantAdviceCode">Mastercard-style: 01, 02, 03, 21, 24-30.</param>
public sealed record DeclineAdvice(int? Category, string? MerchantAdviceCode)
{
    public bool ForbidsRetry => NetworkAdvice.ForbidsRetry(Category, MerchantAdviceCode);
}

/// <summary>A stored card the account updater is asked about.</summary>
/// <param name="Reference">The gateway's reference of the stored card (its token), echoed in the update.</param>
public sealed record CardOnFile(string Reference, string MerchantNo, PlainCard Card);

public enum CardChange
{
    /// <summary>Same number, new expiry.</summary>
    NewExpiry,

    /// <summary>A new number (and expiry): the old one no longer works.</summary>
    NewNumber,

    /// <summary>The issuer closed the account: the card can no longer be charged.</summary>
    Closed,
}

/// <summary>What an issuer changed about a stored card; <see cref="Card"/> is the new card (null when closed).</summary>
public sealed record CardUpdate(string Reference, CardChange Change, PlainCard? Card);
