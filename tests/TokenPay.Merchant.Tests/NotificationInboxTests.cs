using System.Text;
using System.Text.Json.Nodes;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Merchant.Tests;

/// <summary>The notification endpoint: verified raw bytes, deduped, applied with the inbox row; order of arrival does not matter.</summary>
public sealed class NotificationInboxTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<string> Orders => new() { "payment,tokenization,payment", "tokenization,payment,payment", "payment,payment,tokenization,closed-late" };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task DuplicateAndReorderedNotifications_SameFinalState(string arrival)
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var store = merchant.Service<PaymentStore>();
        await store.TryCreateAsync(BindingCheckout, default);

        foreach (var kind in arrival.Split(','))
        {
            using var response = await PostSignedAsync(merchant, kind switch
            {
                "payment" => Payment("SUCCESS", "APPLY_SUCCESS"),
                "closed-late" => Payment("CLOSED", "ORDER_CLOSED"),
                _ => Tokenization(),
            });
            response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).ShouldContain("\"code\":\"SUCCESS\"");
        }

        var payment = (await store.FindAsync("shop_order_1", default))!;
        payment.Status.ShouldBe(PaymentStatuses.Success);
        payment.TradeToken.ShouldBe("T2026112207562065700000001");
        var card = (await merchant.Service<WalletService>().ListAsync("gina", default)).Single();
        card.PaymentTokenId.ShouldBe("PMTOKEN_GINA_1");
        card.MaskedCard.ShouldBe("444433******1111");
        card.Status.ShouldBe(TokenStatuses.Activated);
        card.MitAllowed.ShouldBeTrue();
        card.Expiry.ShouldBe("2030-03-31T23:59:59.999+00:00");
        (await merchant.ScalarAsync("SELECT COUNT(*) FROM notification_inbox")).ShouldBe(arrival.Split(',').Distinct().Count());
    }

    [Fact]
    public async Task LatePaymentNotification_DoesNotReviveARemovedCard()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var store = merchant.Service<PaymentStore>();
        await store.TryCreateAsync(BindingCheckout, default);
        using (await PostSignedAsync(merchant, Tokenization()))
        {
        }

        // The user removes the card before the (delayed) PAYMENT notification of the binding order arrives.
        await merchant.Service<WalletStore>().SetStatusAsync("PMTOKEN_GINA_1", TokenStatuses.Deleted, default);
        using (await PostSignedAsync(merchant, Payment("SUCCESS", "APPLY_SUCCESS")))
        {
        }

        (await store.FindAsync("shop_order_1", default))!.Status.ShouldBe(PaymentStatuses.Success);
        (await merchant.Service<WalletService>().ListAsync("gina", default)).Single().Status.ShouldBe(TokenStatuses.Deleted);
    }

    [Fact]
    public async Task ForgedNotification_RefusedAndNotApplied()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var body = Encoding.UTF8.GetBytes(Tokenization());
        using var merchantKey = RsaKeys.ImportPrivateKey(TestKeys.MerchantPrivate);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payermax/notify") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("sign", PayerMaxSignature.Sign(merchantKey, body));

        using var response = await merchant.Http.SendAsync(request);

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        (await merchant.ScalarAsync("SELECT COUNT(*) FROM wallet")).ShouldBe(0);
    }

    [Fact]
    public async Task LostNotification_SettledByReconciler()
    {
        // The gateway's notifications for this merchant go nowhere.
        await using var merchant = await MerchantHost.StartAsync(_gateway, new Dictionary<string, string?> { ["Merchant:NotifyUrl"] = "http://127.0.0.1:9/notify" });
        var checkout = merchant.Service<CheckoutService>();
        var step = await checkout.PayWithCardAsync(merchant.BaseUrl, "hank", 12m, "USD", "Coffee",
            new TokenPay.Protocol.Models.CardInfo { CardIdentifierNo = "4000000000003220", CardExpirationMonth = "12", CardExpirationYear = "30", Cvv = "123" },
            new TokenPay.Protocol.Models.BuyerInfo { ClientIp = "203.0.113.9", UserAgent = "test" }, saveCard: true, default);
        step.Status.ShouldBe(OrderStatuses.Pending);
        using (await _gateway.Http.PostAsync(step.RedirectUrl, new FormUrlEncodedContent([new("outcome", "pass")])))
        {
        }

        var store = merchant.Service<PaymentStore>();
        (await store.FindAsync(step.OutTradeNo, default))!.Status.ShouldBe(PaymentStatuses.Pending);
        var reconciler = merchant.Service<Reconciler>();
        (await reconciler.ReconcileAsync(default)).Checked.ShouldBe(0, "too young to reconcile");

        _gateway.Clock.Advance(TimeSpan.FromMinutes(6));
        var summary = await reconciler.ReconcileAsync(default);

        summary.Settled.ShouldBe(1);
        (await store.FindAsync(step.OutTradeNo, default))!.Status.ShouldBe(PaymentStatuses.Success);
        var card = (await merchant.Service<WalletService>().ListAsync("hank", default)).Single();
        card.MaskedCard.ShouldBe("400000******3220");
        card.MitAllowed.ShouldBeTrue();
    }

    [Fact]
    public async Task DirectCardPaymentThatSaves_WalletLearnsTheTokenWithDefaultSettings()
    {
        // Default gateway settings: no TOKENIZATION notifications, and the answer carries no paymentTokenID.
        await using var merchant = await MerchantHost.StartAsync(_gateway, new Dictionary<string, string?> { ["Merchant:NotifyUrl"] = "http://127.0.0.1:9/notify" });
        var step = await merchant.Service<CheckoutService>().PayWithCardAsync(merchant.BaseUrl, "ivy", 12m, "USD", "Coffee",
            new TokenPay.Protocol.Models.CardInfo { CardIdentifierNo = "4444333322221111", CardExpirationMonth = "12", CardExpirationYear = "30", Cvv = "123" },
            new TokenPay.Protocol.Models.BuyerInfo { ClientIp = "203.0.113.9", UserAgent = "test" }, saveCard: true, default);
        step.Status.ShouldBe(OrderStatuses.Success);

        var card = (await merchant.Service<WalletService>().ListAsync("ivy", default)).Single();
        card.MitAllowed.ShouldBeTrue();
        (await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("ivy", 3m, "USD", "Top-up", "ivy-1"), default)).Status.ShouldBe(PaymentStatuses.Success);
    }

    [Fact]
    public async Task PaymentNotificationOfAFinalPayment_StillTeachesTheToken()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var store = merchant.Service<PaymentStore>();
        await store.TryCreateAsync(BindingCheckout, default);
        // The synchronous answer already made it SUCCESS, without a token.
        await store.ApplyAsync(new OrderUpdate("shop_order_1", PaymentStatuses.Success, "T2026112207562065700000001", null, null, null, null, null), default);

        using (await PostSignedAsync(merchant, Payment("SUCCESS", "APPLY_SUCCESS")))
        {
        }

        var card = (await merchant.Service<WalletService>().ListAsync("gina", default)).Single();
        card.PaymentTokenId.ShouldBe("PMTOKEN_GINA_1");
        card.MitAllowed.ShouldBeTrue();
        (await store.FindAsync("shop_order_1", default))!.PaymentTokenId.ShouldBe("PMTOKEN_GINA_1");
    }

    // A pending shop checkout that saves the card, as CheckoutService records it before paying.
    private static Payment BindingCheckout => new()
    {
        OutTradeNo = "shop_order_1", Kind = PaymentKinds.Checkout, UserId = "gina", AmountMinor = 1200, Currency = "USD",
        SavesCard = true, SaveMitType = Wire.MitUnscheduled, Status = PaymentStatuses.Pending, CreatedAt = 0, UpdatedAt = 0,
    };

    private static string Payment(string status, string code) => new JsonObject
    {
        ["appId"] = TestKeys.AppId, ["merchantNo"] = TestKeys.MerchantNo, ["keyVersion"] = "1", ["notifyTime"] = "2026-11-22T07:56:20.657+00:00",
        ["notifyType"] = "PAYMENT", ["code"] = code, ["msg"] = "m",
        ["data"] = new JsonObject
        {
            ["outTradeNo"] = "shop_order_1", ["tradeToken"] = "T2026112207562065700000001", ["status"] = status, ["totalAmount"] = 12.00m, ["currency"] = "USD", ["country"] = "US",
            ["paymentDetails"] = new JsonArray(new JsonObject
            {
                ["paymentMethodType"] = "CARD", ["paymentTokenID"] = "PMTOKEN_GINA_1", ["payAmount"] = 12.00m, ["payCurrency"] = "USD",
                ["cardInfo"] = new JsonObject { ["cardOrg"] = "VISA", ["cardIdentifierNo"] = "444433******1111" },
            }),
        },
    }.ToJsonString();

    private static string Tokenization() => new JsonObject
    {
        ["appId"] = TestKeys.AppId, ["merchantNo"] = TestKeys.MerchantNo, ["keyVersion"] = "1", ["notifyTime"] = "2026-11-22T07:56:20.657+00:00",
        ["notifyType"] = "TOKENIZATION", ["code"] = "APPLY_SUCCESS", ["msg"] = "Success.",
        ["data"] = new JsonObject
        {
            ["outTradeNo"] = "shop_order_1", ["paymentTokenID"] = "PMTOKEN_GINA_1", ["userId"] = "gina", ["paymentTokenStatus"] = "Activated",
            ["paymentTokenExpiry"] = "2030-03-31T23:59:59.999+00:00", ["cardInfo"] = "444433******1111", ["brand"] = "VISA", ["paymentMethodType"] = "CARD",
            ["tokenScope"] = "tokenAcq", ["ifCVV"] = "N", ["country"] = "US", ["supportMIT"] = true, ["status"] = "SUCCESS",
        },
    }.ToJsonString();

    private static async Task<HttpResponseMessage> PostSignedAsync(MerchantHost merchant, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var platform = RsaKeys.ImportPrivateKey(TestKeys.PlatformPrivate);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payermax/notify") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("sign", PayerMaxSignature.Sign(platform, body));
        return await merchant.Http.SendAsync(request);
    }
}
