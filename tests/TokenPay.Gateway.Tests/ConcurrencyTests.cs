using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

public class ConcurrencyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task OrderAndPay_50IdenticalRequestsInParallel_MakeOneOrderOneCharge()
    {
        var host = fixture.Host;
        var order = GatewayFixture.NewId("race");
        var body = host.Merchant.Envelope(OrderRequests.Bind(order, GatewayFixture.NewId("u")));
        var cardsBefore = await host.ScalarAsync("SELECT COUNT(*) FROM vault_cards");

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => host.Merchant.PostSignedAsync("orderAndPay", body))));

        answers.ShouldAllBe(a => a.SignatureValid);
        answers.Count(a => a.Code == ResultCodes.ApplySuccess).ShouldBe(1);
        answers.Count(a => a.Code == ResultCodes.OrderRepeat).ShouldBe(49);
        (await host.ScalarAsync($"SELECT COUNT(*) FROM orders WHERE out_trade_no = '{order}'")).ShouldBe(1);
        (await host.ScalarAsync("SELECT COUNT(*) FROM vault_cards")).ShouldBe(cardsBefore + 1);
        (await host.ScalarAsync("SELECT COUNT(*) FROM payment_tokens")).ShouldBe(1);
    }
}
