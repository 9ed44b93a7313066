using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using static TokenPay.Gateway.Tests.StorageContracts.GatewayStores;

namespace TokenPay.Gateway.Tests.StorageContracts;

public class TokenStoreContract
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Tokens_AreScopedToTheirMerchantAndUser_AndARemovalWritesOnlyOverTheTokenAsRead(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        var (orderId, cardId) = await stores.InsertOrderWithCardAsync("bind_1");
        await stores.Orders.CompleteAsync(Success(orderId, Bind(cardId, "PMTOKEN_1")), default);

        var token = (await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_1", default))!;
        (token.UserId, token.Status, token.MitType, token.ExpiresAt, token.Country, token.Card.Id).ShouldBe(("u1", TokenStatuses.Activated, Wire.MitUnscheduled, 9_000_000L, "US", cardId));
        (await stores.Tokens.FindAsync("other-merchant", "PMTOKEN_1", default)).ShouldBeNull();
        (await stores.Tokens.ListAsync(TestKeys.MerchantNo, "u2", default)).ShouldBeEmpty();
        var notice = new TokenChangeNotice(orderId, Draft("TOKENIZATION"));

        (await stores.Tokens.DeleteAsync(token with { MitType = null }, 3_000, notice, default)).ShouldBeFalse("the token changed since it was read");
        (await stores.Tokens.DeleteAsync(token, 3_000, notice, default)).ShouldBeTrue();
        (await stores.Tokens.DeleteAsync(token, 4_000, notice, default)).ShouldBeFalse("already removed");

        (await stores.Tokens.ListAsync(TestKeys.MerchantNo, "u1", default)).Single().Status.ShouldBe(TokenStatuses.Deleted);
        (await stores.Database.QueryAsync<long>("SELECT COUNT(*) FROM notifications WHERE notify_type = 'TOKENIZATION';", null, default)).Single().ShouldBe(1L);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ACardUpdate_MovesTheTokenToTheNewCardOnce_WithItsNotification_AndAClosedCardEndsIt(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        await using var second = db.OpenSecondNode();
        var stores = new GatewayStores(db.Database);
        var (orderId, cardId) = await stores.InsertOrderWithCardAsync("bind_u");
        await stores.Orders.CompleteAsync(Success(orderId, Bind(cardId, "PMTOKEN_U")), default);
        var token = (await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_U", default))!;
        token.NetworkTransactionId.ShouldBe("NTI-1");
        var renewed = Card("FP2") with { ExpiryYear = 2033 };

        var applied = await Task.WhenAll(new[] { stores, new GatewayStores(second) }.Select(node =>
            node.Tokens.ApplyCardUpdateAsync(token, renewed, CardUpdates.NewNumber, 5_000, new TokenChangeNotice(orderId, Draft("TOKENIZATION")), default)));

        applied.Count(a => a).ShouldBe(1, "the second node finds the token moved and writes nothing");
        var updated = (await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_U", default))!;
        (updated.Card.Id == cardId, updated.Card.Fingerprint, updated.ExpiresAt, updated.CardUpdate, updated.CardUpdatedAt, updated.Status)
            .ShouldBe((false, "FP2", new DateTimeOffset(2033, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), CardUpdates.NewNumber, 5_000L, TokenStatuses.Activated));
        (await stores.Database.QueryAsync<long>("SELECT COUNT(*) FROM vault_cards;", null, default)).Single().ShouldBe(2L, "the losing node's vaulted copy was rolled back");
        (await stores.Database.QueryAsync<long>("SELECT COUNT(*) FROM notifications WHERE notify_type = 'TOKENIZATION';", null, default)).Single().ShouldBe(1L);

        (await stores.Tokens.ApplyCardUpdateAsync(updated, null, CardUpdates.Closed, 6_000, TokenChangeNotice.None, default)).ShouldBeTrue();
        (await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_U", default))!.Status.ShouldBe(TokenStatuses.Deleted);
    }
}
