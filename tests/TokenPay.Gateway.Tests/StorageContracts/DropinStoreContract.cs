using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using static TokenPay.Gateway.Tests.StorageContracts.GatewayStores;

namespace TokenPay.Gateway.Tests.StorageContracts;

public class DropinStoreContract
{
    internal static DropinSession Session(string key, long? amount = null) => new()
    {
        SessionKey = key, ClientKey = "client-" + key, MerchantNo = TestKeys.MerchantNo, AppId = TestKeys.AppId, UserId = "u1",
        Currency = "USD", Country = "US", AmountMinor = amount, MitType = Wire.MitUnscheduled, TokenForFutureUse = true, CreatedAt = 100, ExpiresAt = 9_000,
    };

    [Theory, OnSqlite, OnPostgres]
    public async Task SessionAndToken_RoundTrip(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await stores.Dropin.InsertSessionAsync(Session("s1", amount: 1_234), default);
        await stores.Dropin.InsertSessionAsync(Session("s2") with { MitType = null, TokenForFutureUse = false }, default);
        await stores.Dropin.InsertTokenAsync("pt_1", "s1", Card(), 500, 5_000, default);

        (await stores.Dropin.FindSessionAsync("s1", default)).ShouldBe(Session("s1", amount: 1_234));
        (await stores.Dropin.FindSessionAsync("s2", default)).ShouldBe(Session("s2") with { MitType = null, TokenForFutureUse = false });
        (await stores.Dropin.FindSessionAsync("missing", default)).ShouldBeNull();
        var token = (await stores.Dropin.FindTokenAsync("pt_1", default))!;
        token.ShouldBe(new DropinToken("pt_1", Session("s1", amount: 1_234), token.CardId, null, 5_000));
        var card = (await stores.Vault.GetCardAsync(token.CardId, default))!;
        (card.Id, card.KeyId, card.Fingerprint, card.Brand, card.Masked, card.HolderMasked, card.ExpiryMonth, card.ExpiryYear).ShouldBe((token.CardId, "k1", "FP1", "VISA", "444433******1111", "J*** D**", 3, 2030));
        card.Nonce.ShouldBe(Card().Nonce);
        card.Ciphertext.ShouldBe(Card().Ciphertext);
        card.Tag.ShouldBe(Card().Tag);
    }
}
