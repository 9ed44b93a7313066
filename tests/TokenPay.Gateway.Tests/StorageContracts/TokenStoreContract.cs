using TokenPay.Protocol;
using static TokenPay.Gateway.Tests.StorageContracts.GatewayStores;

namespace TokenPay.Gateway.Tests.StorageContracts;

public class TokenStoreContract
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Tokens_AreScopedToTheirMerchantAndUser_AndRemovalIsIdempotent(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        var (orderId, cardId) = await stores.InsertOrderWithCardAsync("bind_1");
        await stores.Orders.CompleteAsync(Success(orderId, Bind(cardId, "PMTOKEN_1")), default);

        var token = (await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_1", default))!;
        (token.UserId, token.Status, token.MitType, token.ExpiresAt, token.Country, token.Card.Id).ShouldBe(("u1", TokenStatuses.Activated, Wire.MitUnscheduled, 9_000_000L, "US", cardId));
        (await stores.Tokens.FindAsync("other-merchant", "PMTOKEN_1", default)).ShouldBeNull();
        (await stores.Tokens.ListAsync(TestKeys.MerchantNo, "u2", default)).ShouldBeEmpty();
        (await stores.Tokens.DeleteAsync(TestKeys.MerchantNo, "u2", "PMTOKEN_1", 3_000, default)).ShouldBeNull("another user's token");

        var removed = await stores.Tokens.DeleteAsync(TestKeys.MerchantNo, "u1", "PMTOKEN_1", 3_000, default);
        var again = await stores.Tokens.DeleteAsync(TestKeys.MerchantNo, "u1", "PMTOKEN_1", 4_000, default);

        removed!.Status.ShouldBe(TokenStatuses.Deleted);
        again!.Status.ShouldBe(TokenStatuses.Deleted);
        (await stores.Tokens.ListAsync(TestKeys.MerchantNo, "u1", default)).Single().Status.ShouldBe(TokenStatuses.Deleted);
    }
}
