using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Tests;

/// <summary>The saved-cards wallet against a real gateway: every way a card is saved shows what the card shows.</summary>
public sealed class WalletTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task CardSavedDuringACheckoutPayment_TheWalletShowsItsExpiry()
    {
        // The gateway sends no TOKENIZATION notification (PayerMax's default): payment answers and queries carry no expiry.
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var card = new CardInfo { CardIdentifierNo = "4444333322221111", CardHolderFullName = "Pat Payer", CardExpirationMonth = "07", CardExpirationYear = "31", Cvv = "123" };
        var buyer = new BuyerInfo { ClientIp = "127.0.0.1", UserAgent = "wallet test" };

        var step = await merchant.Service<CheckoutService>().PayWithCardAsync(merchant.BaseUrl, "pat", 12.00m, "USD", "Socks", card, buyer, saveCard: true, default);
        step.Status.ShouldBe(OrderStatuses.Success);

        var saved = (await merchant.Service<WalletService>().ListAsync("pat", default)).ShouldHaveSingleItem();
        saved.MaskedCard.ShouldBe("444433******1111");
        CardExpiry.Format(saved.Expiry).ShouldBe("07/31");
    }
}
