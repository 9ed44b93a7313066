using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>The modes of orderAndPay (docs/protocol.md 2.1) over real HTTP, each answer checked against the platform key.</summary>
public class OrderModeTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GatewayHost Host => fixture.Host;

    private MerchantClient Merchant => fixture.Host.Merchant;

    [Fact]
    public async Task ModeA_CardPayment_SucceedsWithoutToken()
    {
        var order = GatewayFixture.NewId("a");
        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, GatewayFixture.NewId("u"), amount: 74.99m));

        answer.SignatureValid.ShouldBeTrue();
        answer.Code.ShouldBe(ResultCodes.ApplySuccess);
        answer.DataString("status").ShouldBe(OrderStatuses.Success);
        answer.DataString("tradeToken").ShouldMatch("^T[0-9]{25}$");

        var query = await Merchant.QueryAsync(order);
        query.DataString("status").ShouldBe(OrderStatuses.Success);
        query.Data.GetProperty("totalAmount").GetDecimal().ShouldBe(74.99m);
        var detail = query.Data.GetProperty("paymentDetails")[0];
        detail.TryGetProperty("paymentTokenID", out _).ShouldBeFalse();
        detail.GetProperty("cardInfo").GetProperty("cardIdentifierNo").GetString().ShouldBe("444433******1111");
    }

    [Fact]
    public async Task ModeB_CitPaymentWithTokenForFutureUse_CreatesMitCapableToken()
    {
        var user = GatewayFixture.NewId("u");
        var order = GatewayFixture.NewId("b");

        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, user));

        answer.DataString("status").ShouldBe(OrderStatuses.Success);
        var tokenId = (await Merchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString();
        tokenId.ShouldStartWith("PMTOKEN");

        var tokens = (await Merchant.InquireTokensAsync(user, "tokenMit")).Data.GetProperty("tokenList");
        tokens.GetArrayLength().ShouldBe(1);
        var token = tokens[0];
        token.GetProperty("paymentTokenID").GetString().ShouldBe(tokenId);
        token.GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Activated);
        token.GetProperty("cardInfo").GetString().ShouldBe("444433******1111");
        token.GetProperty("brand").GetString().ShouldBe("VISA");
        token.GetProperty("merchantInitiated").GetBoolean().ShouldBeTrue();
        // Card expiry 03/30: the token lasts to the end of March 2030.
        token.GetProperty("paymentTokenExpiry").GetString().ShouldBe("2030-03-31T23:59:59.999+00:00");
    }

    [Fact]
    public async Task ModeB_ZeroAmountWithMitType_BindsOnly()
    {
        var user = GatewayFixture.NewId("u");
        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("b0"), user, amount: 0m));

        answer.DataString("status").ShouldBe(OrderStatuses.Success);
        (await Merchant.InquireTokensAsync(user, "tokenMit")).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task ModeB_ZeroAmountWithoutMitType_IsRefused()
    {
        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("b0"), GatewayFixture.NewId("u"), amount: 0m, mitType: null));

        answer.Code.ShouldBe(ResultCodes.AmountInvalid);
        answer.Msg.ShouldContain("totalAmount");
    }

    [Fact]
    public async Task ModeB_BindingWithoutMitType_TokenIsCitOnlyAndRefusedForMit()
    {
        var user = GatewayFixture.NewId("u");
        await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("b"), user, mitType: null));
        var tokens = (await Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList");
        tokens[0].GetProperty("merchantInitiated").GetBoolean().ShouldBeFalse();
        (await Merchant.InquireTokensAsync(user, "tokenMit")).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);

        var mit = await Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("d"), user, tokens[0].GetProperty("paymentTokenID").GetString()!));

        mit.Code.ShouldBe(ResultCodes.ParamsInvalid);
        mit.Msg.ShouldContain("mitType");
    }

    [Fact]
    public async Task ModeB_SameCardTwice_KeepsOneActivatedToken()
    {
        var user = GatewayFixture.NewId("u");
        await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("b"), user));
        await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("b"), user));
        await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("b"), user, pan: "5555555555554444"));

        var tokens = (await Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList");

        tokens.GetArrayLength().ShouldBe(2);
        tokens.EnumerateArray().Select(t => t.GetProperty("brand").GetString()).ShouldBe(["VISA", "MASTERCARD"], ignoreOrder: true);
    }

    [Fact]
    public async Task ModeC_TokenPaymentCustomerPresent_Succeeds()
    {
        var (user, token) = await BindAsync();
        var order = GatewayFixture.NewId("c");

        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.TokenPayment(order, user, token, 25m));

        answer.DataString("status").ShouldBe(OrderStatuses.Success);
        (await Merchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString().ShouldBe(token);
    }

    [Theory]
    [InlineData("UNSCHEDULED")]
    [InlineData("SCHEDULED")]
    public async Task ModeD_MerchantInitiated_SucceedsWithoutCardData(string mitType)
    {
        var (user, token) = await BindAsync();
        var order = GatewayFixture.NewId("d");

        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Mit(order, user, token, 3.5m, mitType));

        answer.DataString("status").ShouldBe(OrderStatuses.Success);
        var query = (await Merchant.QueryAsync(order)).Data;
        query.GetProperty("totalAmount").GetDecimal().ShouldBe(3.5m);
        query.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString().ShouldBe(token);
    }

    [Fact]
    public async Task ModeD_CardThatRefusesMit_IsFailedWithDeclineCode()
    {
        var (user, token) = await BindAsync("4000000000000341");
        var order = GatewayFixture.NewId("d");

        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Mit(order, user, token));

        answer.Code.ShouldBe(ResultCodes.ApplySuccess);
        answer.DataString("status").ShouldBe(OrderStatuses.Failed);
        answer.DataString("resultCode").ShouldBe(ResultCodes.IssuerPaymentRejected);
        (await Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Failed);
    }

    [Theory]
    [InlineData("4000000000009995", "BALANCE_INSUFFICIENT")]
    [InlineData("4000000000000002", "ISSUER_PAYMENT_REJECTED")]
    [InlineData("4000000000000069", "CARD_EXPIRE_DATE_INVALID")]
    [InlineData("4000000000000127", "CVV_INVALID")]
    public async Task TestCards_Decline_OrderFailedAndNoTokenSaved(string pan, string code)
    {
        var user = GatewayFixture.NewId("u");

        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("t"), user, pan));

        answer.DataString("status").ShouldBe(OrderStatuses.Failed);
        answer.DataString("resultCode").ShouldBe(code);
        (await Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("5555555555554444")]
    [InlineData("378282246310005")]
    [InlineData("4242424242424242")]
    public async Task TestCards_Success(string pan)
    {
        var cvv = pan.StartsWith('3') ? "1234" : "123";
        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("s"), GatewayFixture.NewId("u"), pan, cvv: cvv));

        answer.DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task SubjectFailed_IsDeclinedWithPaymentFailed()
    {
        var answer = await Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("f"), GatewayFixture.NewId("u"), subject: "FAILED"));

        answer.DataString("status").ShouldBe(OrderStatuses.Failed);
        answer.DataString("resultCode").ShouldBe(ResultCodes.PaymentFailed);
    }

    [Fact]
    public async Task RemovedToken_IsDeletedIdempotentlyAndCannotBeCharged()
    {
        var (user, token) = await BindAsync();

        var first = await Merchant.RemoveTokenAsync(user, token);
        var again = await Merchant.RemoveTokenAsync(user, token);
        var mit = await Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("d"), user, token));

        first.DataString("paymentTokenStatus").ShouldBe(TokenStatuses.Deleted);
        again.Code.ShouldBe(ResultCodes.ApplySuccess);
        again.DataString("paymentTokenStatus").ShouldBe(TokenStatuses.Deleted);
        mit.Code.ShouldBe(ResultCodes.TokenInvalid);
        (await Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Deleted);
        (await Host.ScalarAsync("SELECT COUNT(*) FROM orders WHERE payment_token_id = '" + token + "' AND merchant_initiated = 1")).ShouldBe(0);
    }

    [Fact]
    public async Task RemovedCard_CanBeBoundAgainAsNewToken()
    {
        var (user, token) = await BindAsync();
        await Merchant.RemoveTokenAsync(user, token);

        await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("b"), user));

        var tokens = (await Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList");
        tokens.GetArrayLength().ShouldBe(2);
        tokens.EnumerateArray().Count(t => t.GetProperty("paymentTokenStatus").GetString() == TokenStatuses.Activated).ShouldBe(1);
    }

    [Fact]
    public async Task InquireUnknownUser_IsEmptyListNotError()
    {
        var answer = await Merchant.InquireTokensAsync(GatewayFixture.NewId("nobody"));

        answer.Code.ShouldBe(ResultCodes.ApplySuccess);
        answer.Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task OutTradeNo_DuplicateInOtherCase_AnswersOrderRepeatAndChangesNothing()
    {
        var order = GatewayFixture.NewId("dup");
        var first = await Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, GatewayFixture.NewId("u"), amount: 10m));

        var repeat = await Merchant.PostAsync("orderAndPay", OrderRequests.Card(order.ToUpperInvariant(), GatewayFixture.NewId("u"), amount: 99m));

        repeat.Code.ShouldBe(ResultCodes.OrderRepeat);
        var query = await Merchant.QueryAsync(order);
        query.DataString("tradeToken").ShouldBe(first.DataString("tradeToken"));
        query.Data.GetProperty("totalAmount").GetDecimal().ShouldBe(10m);
    }

    [Fact]
    public async Task PayerMaxStyleClients_DoubledSlashAndEscapedJson_AreAccepted()
    {
        // PHP escapes '/' and non-ASCII; Go joins base URL and API with a doubled slash.
        var order = GatewayFixture.NewId("php");
        var data = OrderRequests.Card(order, GatewayFixture.NewId("u")).ToJsonString()
            .Replace("https://shop.example/return", "https:\\/\\/shop.example\\/return", StringComparison.Ordinal)
            .Replace("Test order", "\\u947d order", StringComparison.Ordinal);
        var body = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"requestTime":"{{PayerMaxTime.Format(Host.Clock.GetUtcNow())}}","version":"1.2","appId":"{{TestKeys.AppId}}","merchantNo":"{{TestKeys.MerchantNo}}","spMerchantNo":null,"keyVersion":"1","data":{{data}}}""");

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{Host.BaseAddress}/aggregate-pay/api/gateway//orderAndPay")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json;charset=utf-8");
        request.Headers.TryAddWithoutValidation("sign", Merchant.Sign(body));
        using var response = await Host.Http.SendAsync(request);

        var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        json.GetProperty("code").GetString().ShouldBe(ResultCodes.ApplySuccess);
        (await Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Success);
    }

    private async Task<(string User, string Token)> BindAsync(string pan = "4444333322221111")
    {
        var user = GatewayFixture.NewId("u");
        var order = GatewayFixture.NewId("bind");
        (await Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, user, pan))).DataString("status").ShouldBe(OrderStatuses.Success);
        var token = (await Merchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
        return (user, token);
    }
}
