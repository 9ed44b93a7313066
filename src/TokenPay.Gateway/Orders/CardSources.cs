using TokenPay.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Orders;

/// <summary>
/// Where the card of an order comes from, for the payment modes it serves: the request's card, a saved token,
/// a Drop-in token, or (hosted cashier) none yet. Each source lives with the feature that owns its data;
/// <see cref="OrderPlacement"/> picks one by the plan's mode.
/// </summary>
internal interface ICardSource
{
    IReadOnlyCollection<PaymentMode> Modes { get; }

    /// <summary>The card to charge for this order, or the refusal when the merchant may not use it.</summary>
    Task<CardChoice> ChooseAsync(MerchantApp app, OrderPlan plan, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>What a card source found: a refusal, or the card (none for a cashier order) and what the order records of it.</summary>
internal sealed record CardChoice
{
    /// <summary>No card yet: the customer enters it later, on the cashier page.</summary>
    public static readonly CardChoice Later = new();

    public ApiReply? Refusal { get; init; }

    /// <summary>The card the acquirer is asked to charge; null when nothing is charged now.</summary>
    public PlainCard? Card { get; init; }

    /// <summary>The country the card brings (the token's, the session's, the issuer's) when the request names none.</summary>
    public string? Country { get; init; }

    public CardDisplay? Display { get; init; }

    /// <summary>The vaulted card already stored (a token's, a Drop-in entry's).</summary>
    public long? CardId { get; init; }

    /// <summary>A card to vault with the order (a card sent in the request).</summary>
    public StoredCard? NewCard { get; init; }

    /// <summary>The saved token the payment is made with.</summary>
    public TokenRecord? StoredBy { get; init; }

    public static CardChoice Refused(ApiReply refusal) => new() { Refusal = refusal };
}
