using Microsoft.Extensions.DependencyInjection;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>Storage seam behaviour that the API cannot provoke on demand.</summary>
public class StoreTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task TryInsertOrder_TradeTokenAlreadyTaken_ReportsItAndWritesNothing()
    {
        var store = fixture.Host.App.Services.GetRequiredService<OrderStore>();
        var first = await store.TryInsertAsync(Order("taken_1", "T2026112207562065712345678"), null, null, default);
        var cards = await fixture.Host.ScalarAsync("SELECT COUNT(*) FROM vault_cards");

        var second = await store.TryInsertAsync(Order("taken_2", "T2026112207562065712345678"), Card(), null, default);

        first.Outcome.ShouldBe(InsertOutcome.Inserted);
        second.Outcome.ShouldBe(InsertOutcome.TradeTokenTaken);
        (await fixture.Host.ScalarAsync("SELECT COUNT(*) FROM orders WHERE out_trade_no = 'taken_2'")).ShouldBe(0);
        (await fixture.Host.ScalarAsync("SELECT COUNT(*) FROM vault_cards")).ShouldBe(cards);
        (await store.TryInsertAsync(Order("taken_2", "T2026112207562065712345679"), null, null, default)).Outcome.ShouldBe(InsertOutcome.Inserted);
    }

    private static OrderRecord Order(string outTradeNo, string tradeToken) => new()
    {
        TradeToken = tradeToken,
        MerchantNo = TestKeys.MerchantNo,
        AppId = TestKeys.AppId,
        OutTradeNo = outTradeNo,
        Integrate = Wire.DirectPayment,
        Subject = "s",
        AmountMinor = 100,
        Currency = "USD",
        Country = "US",
        UserId = "u",
        Status = OrderStatuses.Pending,
        CreatedAt = 0,
        ExpiresAt = long.MaxValue,
    };

    private static StoredCard Card() => new()
    {
        KeyId = "k", Nonce = [1], Ciphertext = [2], Tag = [3], Fingerprint = "F", Brand = "VISA", Masked = "444433******1111", ExpiryMonth = 3, ExpiryYear = 2030,
    };
}
