using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// Shapes from PayerMax's own examples that its schema would refuse: no country (taken from the saved card,
/// the Drop-in session, the card's issuer or the merchant's default, else left to the shopper on the cashier),
/// no buyerInfo, a Drop-in payment without paymentMethodType, a scheduled MIT without buyerInfo and terminalType.
/// </summary>
public sealed class ExampleShapeTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    // The first merchant has a default country; the other has none.
    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Merchants:0:Country"] = "SA" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ScheduledMitWithoutCountryBuyerOrTerminal_TakesTheSavedCardsCountry()
    {
        var bind = OrderRequests.Bind(GatewayFixture.NewId("b"), "ex1", mitType: "SCHEDULED");
        bind["country"] = "DE";
        (await _host.Merchant.PostAsync("orderAndPay", bind)).DataString("status").ShouldBe(OrderStatuses.Success);
        var token = (await _host.Merchant.QueryAsync(bind["outTradeNo"]!.GetValue<string>())).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;

        var mit = OrderRequests.Mit(GatewayFixture.NewId("m"), "ex1", token, mitType: "SCHEDULED");
        mit.Remove("country");
        mit.Remove("terminalType");
        mit["paymentDetail"]!.AsObject().Remove("buyerInfo");
        var answer = await _host.Merchant.PostAsync("orderAndPay", mit);

        answer.DataString("status").ShouldBe(OrderStatuses.Success, answer.ToString());
        (await _host.Merchant.QueryAsync(mit["outTradeNo"]!.GetValue<string>())).DataString("country").ShouldBe("DE");
    }

    [Fact]
    public async Task HostedPayAndBindWithoutCountry_TakesTheMerchantsDefault_OrLeavesItToTheShopper()
    {
        var hosted = CashierAndDropinTests.Hosted(GatewayFixture.NewId("h"), "ex2", 5m);
        hosted.Remove("country");

        (await _host.Merchant.PostAsync("orderAndPay", hosted)).DataString("status").ShouldBe(OrderStatuses.Pending);
        (await _host.Merchant.QueryAsync(hosted["outTradeNo"]!.GetValue<string>())).DataString("country").ShouldBe("SA");

        // The other merchant has no default: the cashier asks the shopper (PrintedExampleTests follows it through).
        (await _host.OtherMerchant.PostAsync("orderAndPay", hosted.DeepClone())).DataString("status").ShouldBe(OrderStatuses.Pending);
        (await _host.OtherMerchant.QueryAsync(hosted["outTradeNo"]!.GetValue<string>())).DataString("country").ShouldBe(Countries.Unknown);
    }

    [Fact]
    public async Task ApiBindWithoutCountry_TakesTheIssuersCountry_ThenTheMerchantsDefault()
    {
        var issuerKnown = OrderRequests.Bind(GatewayFixture.NewId("b"), "ex3", amount: 0m);
        issuerKnown.Remove("country");
        var issuerUnknown = OrderRequests.Bind(GatewayFixture.NewId("b"), "ex3", pan: "4001563861135570", amount: 0m);
        issuerUnknown.Remove("country");

        (await _host.Merchant.PostAsync("orderAndPay", issuerKnown)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await _host.Merchant.PostAsync("orderAndPay", issuerUnknown)).DataString("status").ShouldBe(OrderStatuses.Success);

        (await _host.Merchant.QueryAsync(issuerKnown["outTradeNo"]!.GetValue<string>())).DataString("country").ShouldBe("GB");
        (await _host.Merchant.QueryAsync(issuerUnknown["outTradeNo"]!.GetValue<string>())).DataString("country").ShouldBe("SA");
    }

    [Fact]
    public async Task DropinPaymentWithoutCountryOrPaymentMethodType_TakesTheSessionsCountry()
    {
        var session = await _host.Merchant.PostAsync("applyDropinSession", new JsonObject { ["userId"] = "ex4", ["currency"] = "USD", ["country"] = "AE", ["mitType"] = "UNSCHEDULED" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/dropin/v1/tokens")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { card = new { cardIdentifierNo = "4242424242424242", cardExpirationMonth = "12", cardExpirationYear = "30", cvv = "123" } }),
        };
        request.Headers.Add("X-Dropin-Client-Key", session.DataString("clientKey"));
        request.Headers.Add("X-Dropin-Session-Key", session.DataString("sessionKey"));
        using var issued = await _host.Http.SendAsync(request);
        var paymentToken = System.Text.Json.JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("paymentToken").GetString()!;

        var pay = CashierAndDropinTests.DropinOrder(GatewayFixture.NewId("d"), "ex4", paymentToken, session.DataString("sessionKey"));
        pay.Remove("country");
        pay.Remove("terminalType");
        var detail = pay["paymentDetail"]!.AsObject();
        detail.Remove("paymentMethodType");
        detail.Remove("buyerInfo");
        var answer = await _host.Merchant.PostAsync("orderAndPay", pay);

        answer.DataString("status").ShouldBe(OrderStatuses.Success, answer.ToString());
        (await _host.Merchant.QueryAsync(pay["outTradeNo"]!.GetValue<string>())).DataString("country").ShouldBe("AE");
    }

    [Fact]
    public async Task CustomerPresentCardPaymentWithoutBuyerInfo_IsAccepted_ButAnOversizedOneIsNot()
    {
        var order = OrderRequests.Card(GatewayFixture.NewId("c"), "ex5");
        order["paymentDetail"]!.AsObject().Remove("buyerInfo");
        var oversized = OrderRequests.Card(GatewayFixture.NewId("c"), "ex5");
        oversized["paymentDetail"]!["buyerInfo"]!["clientIp"] = new string('1', 65);

        (await _host.Merchant.PostAsync("orderAndPay", order)).DataString("status").ShouldBe(OrderStatuses.Success);
        var refused = await _host.Merchant.PostAsync("orderAndPay", oversized);

        refused.Code.ShouldBe(ResultCodes.ParamsInvalid);
        refused.Msg.ShouldContain("paymentDetail.buyerInfo.clientIp");
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("1.2")]
    [InlineData("1.4")]
    [InlineData("1.6")]
    public async Task EveryApi_AcceptsEveryVersionTheOfficialClientsSend(string version)
    {
        var user = GatewayFixture.NewId("v");
        var order = GatewayFixture.NewId("v");
        (await Post("orderAndPay", OrderRequests.Bind(order, user))).Code.ShouldBe(ResultCodes.ApplySuccess);
        (await Post("orderQuery", new JsonObject { ["outTradeNo"] = order })).Code.ShouldBe(ResultCodes.ApplySuccess);
        var tokens = await Post("inquirePaymentToken", new JsonObject { ["userId"] = user, ["tokenScope"] = "tokenAcq" });
        tokens.Code.ShouldBe(ResultCodes.ApplySuccess);
        (await Post("applyDropinSession", new JsonObject { ["userId"] = user, ["currency"] = "USD", ["country"] = "US" })).Code.ShouldBe(ResultCodes.ApplySuccess);
        var token = tokens.Data.GetProperty("tokenList")[0].GetProperty("paymentTokenID").GetString()!;
        (await Post("removePaymentToken", new JsonObject { ["userId"] = user, ["paymentTokenID"] = token, ["removeReason"] = "r" })).Code.ShouldBe(ResultCodes.ApplySuccess);

        Task<GatewayAnswer> Post(string api, JsonObject data) => _host.Merchant.PostSignedAsync(api, _host.Merchant.Envelope(data, version));
    }
}
