using TokenPay.Gateway.Core;
using TokenPay.Gateway.Orders;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;

namespace TokenPay.Gateway.Tokens;

/// <summary>Modes C and D: the card saved under the request's paymentTokenID, if this order may use it.</summary>
internal sealed class SavedTokenSource(TokenStore tokens, CardVault vault) : ICardSource
{
    public IReadOnlyCollection<PaymentMode> Modes { get; } = [PaymentMode.TokenCustomer, PaymentMode.TokenMerchant];

    public async Task<CardChoice> ChooseAsync(MerchantApp app, OrderPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = await tokens.FindAsync(app.MerchantNo, plan.PaymentTokenId!, cancellationToken);
        if (TokenRules.RefuseUse(token, plan, now) is { } refusal)
        {
            return CardChoice.Refused(refusal);
        }

        return new CardChoice
        {
            Card = vault.Reveal(token!.Card),
            Country = token.Country,
            Display = CardDisplay.From(token.Card),
            CardId = token.CardId,
            StoredBy = token,
        };
    }
}
