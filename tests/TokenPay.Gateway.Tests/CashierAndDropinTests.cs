using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>Hosted cashier and Drop-in rules over plain HTTP (the browser suite drives the same pages in Chromium).</summary>
public class CashierAndDropinTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Hosted_AnswersPendingWithCashierLink_RepeatAnswersSameLink()
    {
        var order = GatewayFixture.NewId("h");
        var first = await Host.Merchant.PostAsync("orderAndPay", Hosted(order, "u1", 10m));
        var repeat = await Host.Merchant.PostAsync("orderAndPay", Hosted(order, "u1", 10m));

        first.DataString("status").ShouldBe(OrderStatuses.Pending);
        first.DataString("redirectUrl").ShouldStartWith($"{Host.BaseAddress}cashier/");
        repeat.Code.ShouldBe(ResultCodes.ApplySuccess);
        repeat.DataString("redirectUrl").ShouldBe(first.DataString("redirectUrl"));
        repeat.DataString("tradeToken").ShouldBe(first.DataString("tradeToken"));
    }

    [Fact]
    public async Task Hosted_WithCardInfo_Refused()
    {
        var data = Hosted(GatewayFixture.NewId("h"), "u1", 10m);
        data["paymentDetail"]!["cardInfo"] = new JsonObject { ["cardIdentifierNo"] = "4444333322221111" };

        (await Host.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ParamsInvalid);
    }

    [Fact]
    public async Task Cashier_ServerSideValidation_ShowsErrorWithoutEchoingCardNumber()
    {
        var link = (await Host.Merchant.PostAsync("orderAndPay", Hosted(GatewayFixture.NewId("h"), "u1", 10m))).DataString("redirectUrl");

        using var response = await Host.Http.PostAsync(link, Form("4444333322221112", "03", "30", "123"));
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        html.ShouldContain("This card number is not valid");
        html.ShouldNotContain("4444333322221112");
        html.ShouldNotContain("value=\"123\"");
    }

    [Fact]
    public async Task Cashier_PaidOnce_ThenLinkSaysItIsNoLongerValid()
    {
        var order = GatewayFixture.NewId("h");
        var link = (await Host.Merchant.PostAsync("orderAndPay", Hosted(order, "u1", 10m))).DataString("redirectUrl");

        using var paid = await Host.Http.PostAsync(link, Form("4444333322221111", "03", "30", "123"));
        using var again = await Host.Http.GetAsync(link);
        var repeat = await Host.Merchant.PostAsync("orderAndPay", Hosted(order, "u1", 10m));

        paid.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        paid.Headers.Location!.ToString().ShouldBe("https://shop.example/return");
        again.StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await again.Content.ReadAsStringAsync()).ShouldContain("no longer valid");
        repeat.Code.ShouldBe(ResultCodes.OrderRepeat);
        (await Host.Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task Cashier_Page_SendsSecurityHeadersAndConsentForMit()
    {
        var data = Hosted(GatewayFixture.NewId("h"), "u1", 0m);
        var link = (await Host.Merchant.PostAsync("orderAndPay", data)).DataString("redirectUrl");

        using var page = await Host.Http.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();

        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("default-src 'none'");
        page.Headers.CacheControl!.NoStore.ShouldBeTrue();
        html.ShouldContain("without you being present");
        html.ShouldContain("Save card");
    }

    [Fact]
    public async Task ApplyDropinSession_AcceptsPayerMaxSpelling()
    {
        var answer = await Host.Merchant.PostAsync("applyDropinSession", new JsonObject
        {
            ["userId"] = "u1", ["currency"] = "USD", ["country"] = "US", ["mitType"] = "UNSCHDULED", ["tokenForFutureUse"] = true, ["componentList"] = new JsonArray("CARD"),
        });

        answer.Code.ShouldBe(ResultCodes.ApplySuccess);
        answer.DataString("clientKey").ShouldStartWith("CK");
        answer.DataString("sessionKey").ShouldStartWith("DS");
    }

    [Fact]
    public async Task DropinToken_PaysOnceAndBindsForMit_ReuseRefused()
    {
        var user = GatewayFixture.NewId("u");
        var (session, token) = await DropinTokenAsync(Host.Merchant, user);

        var pay = await Host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), user, token, session));
        var reuse = await Host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), user, token, session));

        pay.DataString("status").ShouldBe(OrderStatuses.Success);
        reuse.Code.ShouldBe(ResultCodes.TokenInvalid);
        reuse.Msg.ShouldContain("already been used");
        var saved = (await Host.Merchant.InquireTokensAsync(user, "tokenMit")).Data.GetProperty("tokenList");
        saved.GetArrayLength().ShouldBe(1);
        var mit = await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("d"), user, saved[0].GetProperty("paymentTokenID").GetString()!));
        mit.DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task DropinToken_ForeignSessionOrUser_Refused()
    {
        var user = GatewayFixture.NewId("u");
        var (session, token) = await DropinTokenAsync(Host.Merchant, user);
        var (otherSession, _) = await DropinTokenAsync(Host.Merchant, user);

        (await Host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), user, token, otherSession))).Code.ShouldBe(ResultCodes.TokenNotExist);
        (await Host.OtherMerchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), user, token, session))).Code.ShouldBe(ResultCodes.TokenNotExist);
        (await Host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), "someone_else", token, session))).Code.ShouldBe(ResultCodes.TokenUserMismatch);
        // Refusals spend nothing: the rightful use still works.
        (await Host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), user, token, session))).DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task DropinToken_Expired_Refused()
    {
        await using var host = await GatewayHost.StartAsync();
        var (session, token) = await DropinTokenAsync(host.Merchant, "u1", host);

        host.Clock.Advance(TimeSpan.FromMinutes(16));

        var answer = await host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), "u1", token, session));
        answer.Code.ShouldBe(ResultCodes.TokenInvalid);
        answer.Msg.ShouldContain("expired");
    }

    [Fact]
    public async Task DropinFrame_UnknownSessionOrBadOrigin_NotShown()
    {
        using var unknown = await Host.Http.GetAsync("/dropin/v1/frame?clientKey=CKx&sessionKey=DSx&origin=http%3A%2F%2F127.0.0.1%3A1");

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DropinTokens_InvalidCard_422NamesFieldAndStoresNothing()
    {
        var session = await Host.Merchant.PostAsync("applyDropinSession", new JsonObject { ["userId"] = "u1", ["currency"] = "USD", ["country"] = "US" });
        var cards = await Host.ScalarAsync("SELECT COUNT(*) FROM vault_cards");

        using var response = await PostDropinCardAsync(Host, session, new { cardIdentifierNo = "4444333322221111", cardExpirationMonth = "01", cardExpirationYear = "20", cvv = "123" });

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadAsStringAsync()).ShouldContain("expired");
        (await Host.ScalarAsync("SELECT COUNT(*) FROM vault_cards")).ShouldBe(cards);
    }

    internal static JsonObject Hosted(string outTradeNo, string userId, decimal amount, string? mitType = "UNSCHEDULED", string subject = "Hosted order")
    {
        var data = OrderRequests.Bind(outTradeNo, userId, amount: amount, mitType: mitType, subject: subject);
        data["integrate"] = "Hosted_Checkout";
        data.Remove("terminalType");
        var detail = data["paymentDetail"]!.AsObject();
        detail.Remove("cardInfo");
        detail.Remove("buyerInfo");
        return data;
    }

    internal static JsonObject DropinOrder(string outTradeNo, string userId, string paymentToken, string sessionKey)
    {
        var data = OrderRequests.Bind(outTradeNo, userId, amount: 0m);
        var detail = data["paymentDetail"]!.AsObject();
        detail.Remove("cardInfo");
        detail["paymentToken"] = paymentToken;
        detail["sessionKey"] = sessionKey;
        return data;
    }

    [Fact]
    public async Task DropinSessionWithoutConsent_PaymentCannotSaveTheCard()
    {
        var user = GatewayFixture.NewId("noconsent");
        var (session, token) = await DropinTokenAsync(Host.Merchant, user, mitType: null);
        var cardsBefore = await Host.ScalarAsync("SELECT COUNT(*) FROM payment_tokens");
        var ordersBefore = await Host.ScalarAsync("SELECT COUNT(*) FROM orders");

        var saving = await Host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), user, token, session));

        saving.Code.ShouldBe(ResultCodes.ParamsInvalid);
        saving.Msg.ShouldContain("paymentDetail.tokenForFutureUse");
        (await Host.ScalarAsync("SELECT COUNT(*) FROM payment_tokens")).ShouldBe(cardsBefore);
        (await Host.ScalarAsync("SELECT COUNT(*) FROM orders")).ShouldBe(ordersBefore);

        // A payment that saves nothing, as the customer agreed, goes through with the same token.
        var plain = DropinOrder(GatewayFixture.NewId("f"), user, token, session);
        plain["totalAmount"] = "5.00";
        plain["paymentDetail"]!["tokenForFutureUse"] = false;
        plain["paymentDetail"]!.AsObject().Remove("mitType");
        (await Host.Merchant.PostAsync("orderAndPay", plain)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await Host.Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task DropinSessionForCitOnly_PaymentCannotAddMitType()
    {
        var user = GatewayFixture.NewId("citonly");
        var (session, token) = await DropinTokenAsync(Host.Merchant, user, mitType: null, tokenForFutureUse: true);

        var answer = await Host.Merchant.PostAsync("orderAndPay", DropinOrder(GatewayFixture.NewId("f"), user, token, session));

        answer.Code.ShouldBe(ResultCodes.ParamsInvalid);
        answer.Msg.ShouldContain("paymentDetail.mitType");
        (await Host.Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    }

    private async Task<(string Session, string Token)> DropinTokenAsync(MerchantClient merchant, string userId, GatewayHost? host = null, string? mitType = "UNSCHEDULED", bool? tokenForFutureUse = null)
    {
        host ??= Host;
        var request = new JsonObject { ["userId"] = userId, ["currency"] = "USD", ["country"] = "US" };
        if (mitType is not null) request["mitType"] = mitType;
        if (tokenForFutureUse is not null) request["tokenForFutureUse"] = tokenForFutureUse;
        var session = await merchant.PostAsync("applyDropinSession", request);
        using var response = await PostDropinCardAsync(host, session, new { cardIdentifierNo = "4242 4242 4242 4242", cardHolderFullName = "Drop In", cardExpirationMonth = "12", cardExpirationYear = "30", cvv = "123" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var issued = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        issued.GetProperty("maskedCard").GetString().ShouldBe("424242******4242");
        return (session.DataString("sessionKey"), issued.GetProperty("paymentToken").GetString()!);
    }

    // As the Drop-in frame posts it: the session's keys in headers, the card in the body.
    private static Task<HttpResponseMessage> PostDropinCardAsync(GatewayHost host, GatewayAnswer session, object card)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/dropin/v1/tokens") { Content = JsonContent.Create(new { card }) };
        request.Headers.Add("X-Dropin-Client-Key", session.DataString("clientKey"));
        request.Headers.Add("X-Dropin-Session-Key", session.DataString("sessionKey"));
        return host.Http.SendAsync(request);
    }

    private static FormUrlEncodedContent Form(string pan, string month, string year, string cvv) => new(
    [
        new("cardIdentifierNo", pan), new("cardHolderFullName", "Web Buyer"), new("cardExpirationMonth", month), new("cardExpirationYear", year), new("cvv", cvv),
    ]);
}
