using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;

namespace TokenPay.Gateway.Orders;

/// <summary>Modes A and B: the card sent in the request, vaulted with the order.</summary>
internal sealed class NewCardSource(CardVault vault) : ICardSource
{
    public IReadOnlyCollection<PaymentMode> Modes { get; } = [PaymentMode.Card, PaymentMode.CardBind];

    public Task<CardChoice> ChooseAsync(MerchantApp app, OrderPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var card = plan.Card!;
        var sealedCard = vault.Protect(card);
        return Task.FromResult(new CardChoice
        {
            Card = card,
            Country = IssuingCountries.Of(card.Pan),
            Display = CardDisplay.From(sealedCard),
            NewCard = sealedCard,
        });
    }
}
