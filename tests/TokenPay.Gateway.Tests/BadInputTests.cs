using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>Every refusal answers its docs/protocol.md 4 code with a message naming the field, signed, HTTP 200 (4xx only for non-JSON or oversize), and stores nothing.</summary>
public class BadInputTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GatewayHost Host => fixture.Host;

    private MerchantClient Merchant => fixture.Host.Merchant;

    public static TheoryData<string, string, string, string> FieldRefusals => new()
    {
        // field path (dots), replacement (JSON, or "<remove>"), expected code, text the message must name
        { "outTradeNo", "<remove>", "PARAMS_INVALID", "outTradeNo" },
        { "outTradeNo", "\"has space\"", "PARAMS_INVALID", "outTradeNo" },
        { "outTradeNo", $"\"{new string('a', 65)}\"", "PARAMS_INVALID", "outTradeNo" },
        { "subject", "<remove>", "PARAMS_INVALID", "subject" },
        { "subject", $"\"{new string('s', 257)}\"", "PARAMS_INVALID", "subject" },
        { "totalAmount", "<remove>", "PARAMS_INVALID", "totalAmount" },
        { "totalAmount", "\"ten\"", "AMOUNT_INVALID", "totalAmount" },
        { "totalAmount", "\"10.001\"", "AMOUNT_INVALID", "totalAmount" },
        { "totalAmount", "-5", "AMOUNT_INVALID", "totalAmount" },
        { "totalAmount", "0", "AMOUNT_INVALID", "totalAmount" },
        { "currency", "<remove>", "PARAMS_INVALID", "currency" },
        { "currency", "\"XYZ\"", "CURRENCY_INVALID", "currency" },
        { "country", "\"ZZ\"", "COUNTRY_INVALID", "country" },
        { "userId", "<remove>", "PARAMS_INVALID", "userId" },
        { "userId", $"\"{new string('u', 65)}\"", "PARAMS_INVALID", "userId" },
        { "integrate", "<remove>", "PARAMS_INVALID", "integrate" },
        { "integrate", "\"Bank\"", "PARAMS_INVALID", "integrate" },
        { "terminalType", "<remove>", "PARAMS_INVALID", "terminalType" },
        { "terminalType", "\"TV\"", "PARAMS_INVALID", "terminalType" },
        { "reference", $"\"{new string('r', 513)}\"", "PARAMS_INVALID", "reference" },
        { "frontCallbackUrl", "\"not a url\"", "PARAMS_INVALID", "frontCallbackUrl" },
        { "notifyUrl", "\"ftp://x/notify\"", "PARAMS_INVALID", "notifyUrl" },
        { "expireTime", "\"soon\"", "PARAMS_INVALID", "expireTime" },
        { "osType", "\"SYMBIAN\"", "PARAMS_INVALID", "osType" },
        { "paymentDetail", "<remove>", "PARAMS_INVALID", "paymentDetail" },
        { "paymentDetail", "\"card\"", "PARAMS_INVALID", "paymentDetail" },
        { "paymentDetail.paymentMethodType", "<remove>", "PARAMS_INVALID", "paymentMethodType" },
        { "paymentDetail.paymentMethodType", "\"WALLET\"", "PARAMS_INVALID", "paymentMethodType" },
        { "paymentDetail.buyerInfo.clientIp", $"\"{new string('1', 65)}\"", "PARAMS_INVALID", "clientIp" },
        { "paymentDetail.buyerInfo.userAgent", $"\"{new string('m', 2049)}\"", "PARAMS_INVALID", "userAgent" },
        { "paymentDetail.tokenForFutureUse", "\"maybe\"", "PARAMS_INVALID", "tokenForFutureUse" },
        { "paymentDetail.mitType", "\"SOMETIMES\"", "PARAMS_INVALID", "mitType" },
        { "paymentDetail.cardInfo", "<remove>", "PARAMS_INVALID", "cardInfo" },
        { "paymentDetail.cardInfo.cardIdentifierNo", "<remove>", "PARAMS_INVALID", "cardIdentifierNo" },
        { "paymentDetail.cardInfo.cardIdentifierNo", "\"4444-3333-2222\"", "PARAMS_INVALID", "cardIdentifierNo" },
        { "paymentDetail.cardInfo.cardIdentifierNo", "\"4444333322221112\"", "CARD_INVALID", "cardIdentifierNo" },
        { "paymentDetail.cardInfo.cardExpirationMonth", "<remove>", "PARAMS_INVALID", "cardExpirationMonth" },
        { "paymentDetail.cardInfo.cardExpirationMonth", "\"13\"", "PARAMS_INVALID", "cardExpirationMonth" },
        { "paymentDetail.cardInfo.cardExpirationYear", "<remove>", "PARAMS_INVALID", "cardExpirationYear" },
        { "paymentDetail.cardInfo.cardExpirationYear", "\"3\"", "PARAMS_INVALID", "cardExpirationYear" },
        { "paymentDetail.cardInfo.cardExpirationYear", "\"25\"", "CARD_EXPIRE_DATE_INVALID", "expired" },
        { "paymentDetail.cardInfo.cvv", "<remove>", "PARAMS_INVALID", "cvv" },
        { "paymentDetail.cardInfo.cvv", "\"12\"", "PARAMS_INVALID", "cvv" },
        { "paymentDetail.paymentTokenID", "\"PMTOKEN1\"", "PARAMS_INVALID", "paymentTokenID" },
    };

    [Theory]
    [MemberData(nameof(FieldRefusals))]
    public async Task OrderAndPay_BadField_RefusedWithCodeNamingFieldAndNothingStored(string path, string replacement, string code, string named)
    {
        var order = GatewayFixture.NewId("bad");
        var data = OrderRequests.Card(order, GatewayFixture.NewId("u"));
        Replace(data, path, replacement);

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostAsync("orderAndPay", data), code, named);
    }

    [Fact]
    public async Task OrderAndPay_MitWithCardInfo_Refused()
    {
        var order = GatewayFixture.NewId("bad");
        var data = OrderRequests.Card(order, GatewayFixture.NewId("u"));
        data["paymentDetail"]!["merchantInitiated"] = true;
        data["paymentDetail"]!["mitType"] = "UNSCHEDULED";

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostAsync("orderAndPay", data), ResultCodes.ParamsInvalid, "cardInfo");
    }

    [Theory]
    [InlineData("paymentDetail.mitType", "<remove>", "mitType")]
    [InlineData("paymentDetail.paymentTokenID", "<remove>", "paymentTokenID")]
    [InlineData("paymentDetail.tokenForFutureUse", "true", "tokenForFutureUse")]
    public async Task OrderAndPay_MitMissingItsRules_Refused(string path, string replacement, string named)
    {
        var order = GatewayFixture.NewId("bad");
        var data = OrderRequests.Mit(order, GatewayFixture.NewId("u"), "PMTOKEN000");
        Replace(data, path, replacement);

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostAsync("orderAndPay", data), ResultCodes.ParamsInvalid, named);
    }

    [Theory]
    [InlineData("1.001", "USD")]
    [InlineData("100.5", "JPY")]
    [InlineData("1.0001", "KWD")]
    public async Task OrderAndPay_MoreDecimalsThanCurrencyAllows_AmountInvalid(string amount, string currency)
    {
        var order = GatewayFixture.NewId("bad");
        var data = OrderRequests.Card(order, GatewayFixture.NewId("u"));
        data["totalAmount"] = JsonValue.Create(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture));
        data["currency"] = currency;

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostAsync("orderAndPay", data), ResultCodes.AmountInvalid, currency);
    }

    [Fact]
    public async Task OrderAndPay_RefusedNumber_CanBeRetriedWithSameOutTradeNo()
    {
        var order = GatewayFixture.NewId("retry");
        var bad = OrderRequests.Card(order, GatewayFixture.NewId("u"), pan: "4444333322221112");
        (await Merchant.PostAsync("orderAndPay", bad)).Code.ShouldBe(ResultCodes.CardInvalid);

        var good = await Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, GatewayFixture.NewId("u")));

        good.Code.ShouldBe(ResultCodes.ApplySuccess);
    }

    [Fact]
    public async Task Envelope_MissingSign_SignVerifyFailed()
    {
        var order = GatewayFixture.NewId("env");
        var body = Merchant.Envelope(OrderRequests.Card(order, "u1"));

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostRawAsync("orderAndPay", body, sign: null), ResultCodes.SignVerifyFailed, "sign");
    }

    [Fact]
    public async Task Envelope_SignOverOtherBytes_SignVerifyFailed()
    {
        var order = GatewayFixture.NewId("env");
        var body = Merchant.Envelope(OrderRequests.Card(order, "u1"));
        var sign = Merchant.Sign(body);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"10\"", "\"1\"", StringComparison.Ordinal));

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostRawAsync("orderAndPay", tampered, sign), ResultCodes.SignVerifyFailed, "sign");
    }

    [Fact]
    public async Task Envelope_SignedByAnotherKey_SignVerifyFailed()
    {
        var order = GatewayFixture.NewId("env");
        var body = Merchant.Envelope(OrderRequests.Card(order, "u1"));

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostRawAsync("orderAndPay", body, Host.OtherMerchant.Sign(body)), ResultCodes.SignVerifyFailed, "sign");
    }

    [Theory]
    [InlineData("appId", "\"unknownapp\"", "MERCHANT_APP_INVALID", "appId")]
    [InlineData("appId", "<remove>", "PARAMS_INVALID", "appId")]
    [InlineData("merchantNo", "\"OTHER0000000002\"", "MERCHANT_INVALID", "merchantNo")]
    [InlineData("merchantNo", "<remove>", "MERCHANT_INVALID", "merchantNo")]
    [InlineData("keyVersion", "\"2\"", "SIGN_VERIFY_FAILED", "keyVersion")]
    [InlineData("keyVersion", "<remove>", "PARAMS_INVALID", "keyVersion")]
    [InlineData("version", "<remove>", "PARAMS_INVALID", "version")]
    [InlineData("requestTime", "<remove>", "PARAMS_INVALID", "requestTime")]
    [InlineData("requestTime", "\"2026-11-22 07:56:20\"", "PARAMS_INVALID", "requestTime")]
    [InlineData("requestTime", "@-121", "REQ_TIME_OVER_TIME", "requestTime")]
    [InlineData("requestTime", "@121", "REQ_TIME_OVER_TIME", "requestTime")]
    [InlineData("data", "<remove>", "PARAMS_INVALID", "data")]
    [InlineData("data", "[]", "PARAMS_INVALID", "data")]
    public async Task Envelope_BadField_RefusedAndNothingStored(string field, string replacement, string code, string named)
    {
        var order = GatewayFixture.NewId("env");
        var envelope = JsonNode.Parse(Merchant.Envelope(OrderRequests.Card(order, "u1")))!.AsObject();
        if (replacement.StartsWith('@'))
        {
            // "@-121": that many seconds from the gateway's clock.
            var offset = TimeSpan.FromSeconds(int.Parse(replacement[1..], System.Globalization.CultureInfo.InvariantCulture));
            replacement = $"\"{PayerMaxTime.Format(Host.Clock.GetUtcNow() + offset)}\"";
        }

        Replace(envelope, field, replacement);
        var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());

        await ShouldRefuseAndStoreNothing(order, () => Merchant.PostSignedAsync("orderAndPay", body), code, named);
    }

    [Theory]
    [InlineData(-120)]
    [InlineData(120)]
    public async Task Envelope_RequestTimeAtWindowEdge_Accepted(int seconds)
    {
        var order = GatewayFixture.NewId("edge");
        var body = Merchant.Envelope(OrderRequests.Card(order, "u1"), requestTime: PayerMaxTime.Format(Host.Clock.GetUtcNow().AddSeconds(seconds)));

        (await Merchant.PostSignedAsync("orderAndPay", body)).Code.ShouldBe(ResultCodes.ApplySuccess);
    }

    [Theory]
    [InlineData("not json", "line 1, position 2")]
    [InlineData("{\"version\":", "line 1, position 12")]
    [InlineData("{\"version\":\"1.4\",\n \"appId\" \"a\"}", "line 2, position 10")]
    [InlineData("[1,2]", "one JSON object")]
    [InlineData("{} {}", "line 1, position 4")]
    [InlineData("", "line 1, position 1")]
    public async Task Body_NotAJsonObject_400SignedParamsInvalid_NamingWhere(string text, string where)
    {
        var body = Encoding.UTF8.GetBytes(text);

        var answer = await Merchant.PostSignedAsync("orderAndPay", body);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.SignatureValid.ShouldBeTrue();
        answer.Code.ShouldBe(ResultCodes.ParamsInvalid);
        answer.Msg.ShouldContain(where);
    }

    [Fact]
    public async Task Body_FormEncoded_400NamingTheContentTypeExpected()
    {
        using var response = await Host.Http.PostAsync("/aggregate-pay/api/gateway/orderQuery", new FormUrlEncodedContent(new Dictionary<string, string> { ["outTradeNo"] = "o1" }));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        answer["code"]!.GetValue<string>().ShouldBe(ResultCodes.ParamsInvalid);
        answer["msg"]!.GetValue<string>().ShouldContain("The API takes application/json; this body was sent as application/x-www-form-urlencoded.");
    }

    [Fact]
    public async Task Body_OverLimit_413BeforeAnythingIsParsed()
    {
        var order = GatewayFixture.NewId("big");
        var data = OrderRequests.Card(order, "u1");
        data["padding"] = new string('x', 70 * 1024);

        var answer = await Merchant.PostAsync("orderAndPay", data);

        answer.Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        answer.SignatureValid.ShouldBeTrue();
        answer.Code.ShouldBe(ResultCodes.ParamsInvalid);
        answer.Msg.ShouldContain("65536 bytes");
        (await Merchant.QueryAsync(order)).Code.ShouldBe(ResultCodes.OrderNotExist);
    }

    [Theory]
    [InlineData("orderQuery", "{}", "outTradeNo")]
    [InlineData("inquirePaymentToken", "{\"tokenScope\":\"tokenAcq\"}", "userId")]
    [InlineData("inquirePaymentToken", "{\"userId\":\"u1\"}", "tokenScope")]
    [InlineData("inquirePaymentToken", "{\"userId\":\"u1\",\"tokenScope\":\"all\"}", "tokenScope")]
    [InlineData("removePaymentToken", "{\"paymentTokenID\":\"PM1\"}", "userId")]
    [InlineData("removePaymentToken", "{\"userId\":\"u1\"}", "paymentTokenID")]
    [InlineData("refund", "{}", "outRefundNo")]
    [InlineData("refund", "{\"outRefundNo\":\"r1\",\"refundAmount\":1,\"refundCurrency\":\"USD\"}", "outTradeNo or tradeToken")]
    [InlineData("refundQuery", "{}", "outRefundNo or refundTradeNo")]
    [InlineData("refundQuery", "{\"outRefundNo\":{\"a\":1}}", "outRefundNo")]
    [InlineData("applyPaymentToken", "{}", "requestId")]
    [InlineData("applyPaymentToken", "{\"requestId\":\"q1\",\"userId\":\"u1\",\"country\":\"US\",\"paymentMethodType\":\"CARD\",\"tokenScope\":\"tokenAcq\",\"frontCallbackUrl\":\"https://s.example/\"}", "cardInfo")]
    [InlineData("applyPaymentToken", "{\"requestId\":\"q1\",\"cardInfo\":\"4444333322221111\"}", "cardInfo")]
    [InlineData("InquireApplyRequest", "{\"userId\":\"u1\"}", "requestId")]
    [InlineData("InquireApplyRequest", "{\"requestId\":\"q1\"}", "userId")]
    public async Task OtherApis_MissingField_ParamsInvalidNamingIt(string api, string data, string named)
    {
        var answer = await Merchant.PostAsync(api, JsonNode.Parse(data)!);

        answer.SignatureValid.ShouldBeTrue();
        answer.Code.ShouldBe(ResultCodes.ParamsInvalid);
        answer.Msg.ShouldContain(named);
    }

    [Fact]
    public async Task OrderQuery_UnknownNumber_OrderNotExist()
    {
        (await Merchant.QueryAsync("never_made")).Code.ShouldBe(ResultCodes.OrderNotExist);
    }

    [Fact]
    public async Task ExpiredToken_TokenInvalid()
    {
        var user = GatewayFixture.NewId("u");
        var order = GatewayFixture.NewId("exp");
        var bind = OrderRequests.Bind(order, user);
        bind["paymentDetail"]!["cardInfo"]!["cardExpirationYear"] = "26";
        bind["paymentDetail"]!["cardInfo"]!["cardExpirationMonth"] = "11";
        (await Merchant.PostAsync("orderAndPay", bind)).DataString("status").ShouldBe(OrderStatuses.Success);
        var token = (await Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenID").GetString()!;

        Host.Clock.Advance(TimeSpan.FromDays(9)); // past 30 November 2026; requests sign with the moved clock.
        var mitOrder = GatewayFixture.NewId("mit");

        await ShouldRefuseAndStoreNothing(mitOrder, () => Merchant.PostAsync("orderAndPay", OrderRequests.Mit(mitOrder, user, token)), ResultCodes.TokenInvalid, "expired");
        (await Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Expired);
    }

    private async Task ShouldRefuseAndStoreNothing(string outTradeNo, Func<Task<GatewayAnswer>> send, string code, string named)
    {
        var ordersBefore = await Host.ScalarAsync("SELECT COUNT(*) FROM orders");
        var cardsBefore = await Host.ScalarAsync("SELECT COUNT(*) FROM vault_cards");
        var tokensBefore = await Host.ScalarAsync("SELECT COUNT(*) FROM payment_tokens");

        var answer = await send();

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.ToString());
        answer.SignatureValid.ShouldBeTrue();
        answer.Code.ShouldBe(code, answer.ToString());
        answer.Msg.ShouldContain(named, Case.Insensitive);
        (await Host.ScalarAsync("SELECT COUNT(*) FROM orders")).ShouldBe(ordersBefore);
        (await Host.ScalarAsync("SELECT COUNT(*) FROM vault_cards")).ShouldBe(cardsBefore);
        (await Host.ScalarAsync("SELECT COUNT(*) FROM payment_tokens")).ShouldBe(tokensBefore);
        (await Merchant.QueryAsync(outTradeNo)).Code.ShouldBe(ResultCodes.OrderNotExist);
    }

    private static void Replace(JsonObject root, string path, string replacement)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        if (replacement == "<remove>")
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(replacement);
        }
    }
}
