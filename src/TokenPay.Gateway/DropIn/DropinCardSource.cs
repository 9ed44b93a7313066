using TokenPay.Gateway.Core;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;

namespace TokenPay.Gateway.DropIn;

/// <summary>Mode F: the card the customer entered in the Drop-in frame, behind its one-time token.</summary>
internal sealed class DropinCardSource(DropinStore dropins, VaultStore cards, CardVault vault) : ICardSource
{
    public IReadOnlyCollection<PaymentMode> Modes { get; } = [PaymentMode.DropIn];

    public async Task<CardChoice> ChooseAsync(MerchantApp app, OrderPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var dropin = await dropins.FindTokenAsync(plan.DropinPaymentToken!, cancellationToken);
        if (DropinRules.RefuseUse(dropin, plan, app.MerchantNo, now) is { } refusal)
        {
            return CardChoice.Refused(refusal);
        }

        var entered = (await cards.GetCardAsync(dropin!.CardId, cancellationToken))!;
        return new CardChoice
        {
            Card = vault.Reveal(entered),
            Country = dropin.Session.Country,
            Display = CardDisplay.From(entered),
            CardId = entered.Id,
        };
    }
}
