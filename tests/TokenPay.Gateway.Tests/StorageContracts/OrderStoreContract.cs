using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using static TokenPay.Gateway.Tests.StorageContracts.GatewayStores;

namespace TokenPay.Gateway.Tests.StorageContracts;

/// <summary>What every engine's order storage guarantees; each test runs on SQLite and on PostgreSQL.</summary>
public class OrderStoreContract
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Insert_ThenFind_RoundTripsEveryColumn_AndFindsOutTradeNoCaseInsensitively(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        var order = Order("Round_Trip") with
        {
            Reference = "r", Language = "en", FrontCallbackUrl = "https://shop.example/back", NotifyUrl = "https://shop.example/notify",
            PaymentTokenId = null, TokenForFutureUse = true, MerchantInitiated = false, MitType = Wire.MitUnscheduled, CashierId = "cashier-1",
            AcquirerState = AcquirerStates.Sending, SentAt = 1_000,
        };

        var inserted = await stores.Orders.TryInsertAsync(order, Card(), null, default);
        var found = await stores.Orders.FindAsync(TestKeys.MerchantNo, "round_TRIP", default);

        inserted.Outcome.ShouldBe(InsertOutcome.Inserted);
        found.ShouldNotBeNull();
        found.ShouldBe(order with { Id = inserted.OrderId, CardId = inserted.CardId, Card = new CardDisplay("VISA", "444433******1111", "J*** D**") });
        (await stores.Orders.FindByCashierAsync("cashier-1", default))!.Id.ShouldBe(inserted.OrderId);
        (await stores.Orders.FindAsync("other-merchant", "Round_Trip", default)).ShouldBeNull();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Insert_DuplicateOutTradeNoInAnyCase_WritesNothing(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await stores.Orders.TryInsertAsync(Order("dup_1"), Card(), null, default);

        var second = await stores.Orders.TryInsertAsync(Order("DUP_1"), Card("FP2"), null, default);

        second.Outcome.ShouldBe(InsertOutcome.DuplicateOutTradeNo);
        (await db.CountAsync("orders")).ShouldBe(1);
        (await db.CountAsync("vault_cards")).ShouldBe(1, "the duplicate's card goes with the rollback");
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Insert_TradeTokenAlreadyTaken_ReportsItAndWritesNothing(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await stores.Orders.TryInsertAsync(Order("taken_1", "T2026112207562065712345678"), null, null, default);

        var second = await stores.Orders.TryInsertAsync(Order("taken_2", "T2026112207562065712345678"), Card(), null, default);

        second.Outcome.ShouldBe(InsertOutcome.TradeTokenTaken);
        (await db.CountAsync("orders")).ShouldBe(1);
        (await db.CountAsync("vault_cards")).ShouldBe(0);
        (await stores.Orders.TryInsertAsync(Order("taken_2", "T2026112207562065712345679"), null, null, default)).Outcome.ShouldBe(InsertOutcome.Inserted);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Insert_ConcurrentSameOutTradeNoFromTwoNodes_MakesOneOrder(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        await using var second = db.OpenSecondNode();
        var nodes = new[] { new GatewayStores(db.Database), new GatewayStores(second) };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => nodes[i % 2].Orders.TryInsertAsync(Order("race_1"), Card(), null, default)));

        outcomes.Count(o => o.Outcome == InsertOutcome.Inserted).ShouldBe(1);
        outcomes.Count(o => o.Outcome == InsertOutcome.DuplicateOutTradeNo).ShouldBe(19);
        (await db.CountAsync("vault_cards")).ShouldBe(1);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Insert_SpendingADropinToken_SucceedsOnce(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await stores.Dropin.InsertSessionAsync(DropinStoreContract.Session("s1"), default);
        await stores.Dropin.InsertTokenAsync("pt_1", "s1", Card(), 500, 5_000, default);
        var card = (await stores.Dropin.FindTokenAsync("pt_1", default))!.CardId;

        var first = await stores.Orders.TryInsertAsync(Order("spend_1") with { CardId = card }, null, "pt_1", default);
        var again = await stores.Orders.TryInsertAsync(Order("spend_2") with { CardId = card }, null, "pt_1", default);

        first.Outcome.ShouldBe(InsertOutcome.Inserted);
        again.Outcome.ShouldBe(InsertOutcome.DropinTokenSpent);
        (await stores.Dropin.FindTokenAsync("pt_1", default))!.UsedAt.ShouldBe(1_000);
        (await stores.Orders.FindAsync(TestKeys.MerchantNo, "spend_2", default)).ShouldBeNull();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Insert_OnARemovedToken_IsRefusedInTheSameTransaction(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        var (orderId, cardId) = await stores.InsertOrderWithCardAsync("bind_1");
        await stores.Orders.CompleteAsync(Success(orderId, Bind(cardId, "PMTOKEN_1")), default);
        await stores.Tokens.DeleteAsync((await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_1", default))!, 3_000, TokenChangeNotice.None, default);

        var mit = await stores.Orders.TryInsertAsync(Order("mit_1", createdAt: 4_000) with { PaymentTokenId = "PMTOKEN_1", CardId = cardId, MerchantInitiated = true }, null, null, default);

        mit.Outcome.ShouldBe(InsertOutcome.PaymentTokenUnusable);
        (await stores.Orders.FindAsync(TestKeys.MerchantNo, "mit_1", default)).ShouldBeNull();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Complete_MovesAPendingOrderOnce_WithItsTokenAndNotificationInOneTransaction(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        var (orderId, cardId) = await stores.InsertOrderWithCardAsync("complete_1");

        var first = await stores.Orders.CompleteAsync(Success(orderId, Bind(cardId, "PMTOKEN_A"), Draft()), default);
        var second = await stores.Orders.CompleteAsync(Success(orderId, Bind(cardId, "PMTOKEN_B"), Draft()) with { Status = OrderStatuses.Failed }, default);

        first.ShouldBe(CompletionOutcome.Applied);
        second.ShouldBe(CompletionOutcome.AlreadyFinal);
        var order = (await stores.Orders.FindAsync(TestKeys.MerchantNo, "complete_1", default))!;
        (order.Status, order.ResultCode, order.CompletedAt, order.PaymentTokenId, order.AcquirerReference).ShouldBe((OrderStatuses.Success, "APPLY_SUCCESS", 2_000L, "PMTOKEN_A", "ref-1"));
        (await stores.Tokens.ListAsync(TestKeys.MerchantNo, "u1", default)).Select(t => t.PaymentTokenId).ShouldBe(["PMTOKEN_A"], "the refused second completion bound nothing");
        var notifications = await stores.Outbox.ListAsync(null, 10, default);
        notifications.Count.ShouldBe(1);
        notifications[0].OutTradeNo.ShouldBe("complete_1");
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Complete_BindingACardTheUserAlreadySaved_RefreshesTheExistingToken(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        var (firstOrder, firstCard) = await stores.InsertOrderWithCardAsync("save_1", "SAME");
        var (secondOrder, secondCard) = await stores.InsertOrderWithCardAsync("save_2", "SAME");
        var (otherUserOrder, otherUserCard) = await stores.InsertOrderWithCardAsync("save_3", "SAME");

        await stores.Orders.CompleteAsync(Success(firstOrder, Bind(firstCard, "PMTOKEN_FIRST", "SAME")), default);
        var again = Bind(secondCard, "PMTOKEN_SECOND", "SAME");
        var otherUser = Bind(otherUserCard, "PMTOKEN_OTHER", "SAME", userId: "u2");

        (await stores.Tokens.BoundTokenIdAsync(again, default)).ShouldBe("PMTOKEN_FIRST");
        (await stores.Tokens.BoundTokenIdAsync(otherUser, default)).ShouldBe("PMTOKEN_OTHER");
        (await stores.Orders.CompleteAsync(Success(secondOrder, again, Draft()), default)).ShouldBe(CompletionOutcome.TokenMoved, "its notification names a new token");
        (await stores.Orders.FindAsync(TestKeys.MerchantNo, "save_2", default))!.Status.ShouldBe(OrderStatuses.Pending);
        (await stores.Outbox.ListAsync(null, 10, default)).ShouldBeEmpty();
        (await stores.Orders.CompleteAsync(Success(secondOrder, again, Draft()) with { PaymentTokenId = "PMTOKEN_FIRST" }, default)).ShouldBe(CompletionOutcome.Applied);
        (await stores.Orders.CompleteAsync(Success(otherUserOrder, otherUser), default)).ShouldBe(CompletionOutcome.Applied);

        (await stores.Orders.FindAsync(TestKeys.MerchantNo, "save_2", default))!.PaymentTokenId.ShouldBe("PMTOKEN_FIRST");
        (await stores.Orders.FindAsync(TestKeys.MerchantNo, "save_3", default))!.PaymentTokenId.ShouldBe("PMTOKEN_OTHER");
        var token = (await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_FIRST", default))!;
        token.CardId.ShouldBe(secondCard, "the token now stands for the card entered last");
        (await stores.Tokens.FindAsync(TestKeys.MerchantNo, "PMTOKEN_SECOND", default)).ShouldBeNull();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ClaimChallenge_ManyConcurrentClaimsOnTwoNodes_OneWins(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        await using var second = db.OpenSecondNode();
        var stores = new GatewayStores(db.Database);
        var (orderId, _) = await stores.InsertOrderWithCardAsync("challenge_1");
        await stores.Orders.SetChallengeAsync(orderId, "ch_1", default);
        var nodes = new[] { stores, new GatewayStores(second) };

        var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => nodes[i % 2].Orders.ClaimChallengeAsync("ch_1", 1_500, authorizeNext: true, default)));

        claims.Count(c => c).ShouldBe(1);
        var order = (await stores.Orders.FindAsync(TestKeys.MerchantNo, "challenge_1", default))!;
        (order.AcquirerState, order.SentAt).ShouldBe((AcquirerStates.Sending, 1_500L));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ClaimChallenge_OfAnExpiredOrder_Fails(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        var (orderId, _) = await stores.InsertOrderWithCardAsync("challenge_2");
        await stores.Orders.SetChallengeAsync(orderId, "ch_2", default);

        (await stores.Orders.ClaimChallengeAsync("ch_2", 1_000_000, authorizeNext: false, default)).ShouldBeFalse();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Sweeps_FindOnlyTheOrdersTheyMustSettle(Engine engine)
    {
        await using var db = await CreateAsync(engine);
        var stores = new GatewayStores(db.Database);
        await stores.Orders.TryInsertAsync(Order("expired", expiresAt: 5_000), null, null, default);
        await stores.Orders.TryInsertAsync(Order("open", expiresAt: 50_000), null, null, default);
        await stores.Orders.TryInsertAsync(Order("sent_long_ago") with { AcquirerState = AcquirerStates.Sending, SentAt = 1_000 }, null, null, default);
        await stores.Orders.TryInsertAsync(Order("sent_just_now") with { AcquirerState = AcquirerStates.Sending, SentAt = 9_000 }, null, null, default);
        var (doneId, _) = await stores.InsertOrderWithCardAsync("done");
        await stores.Orders.CompleteAsync(Success(doneId), default);

        (await stores.Orders.FindExpiredPendingAsync(10_000, 10, default)).Select(o => o.OutTradeNo).ShouldBe(["expired"]);
        (await stores.Orders.FindToRecoverAsync(5_000, 10, default)).Select(o => o.OutTradeNo).ShouldBe(["sent_long_ago"]);
        (await stores.Orders.HasTokenOrderBeingAuthorizedAsync(TestKeys.MerchantNo, "none", 0, default)).ShouldBeFalse();
    }
}
