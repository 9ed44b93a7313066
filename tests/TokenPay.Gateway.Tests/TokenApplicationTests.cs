using System.Net;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>applyPaymentToken and InquireApplyRequest (docs/protocol.md 2.8): a card saved without a payment.</summary>
public sealed class TokenApplicationTests : IAsyncLifetime
{
    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Merchants:0:NotifyUrl"] = _receiver.Url,
            ["Gateway:Merchants:0:TokenizationNotifications"] = "true",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task SavedForMit_TheTokenIsListedAndCharged_InquiredByItsUserOnly_AndOnlyTokenizationIsNotified()
    {
        var answer = await ApplyAsync(Application("req_1", "ada", mitType: "UNSCHEDULE"));

        (answer.Code, answer.SignatureValid, answer.DataString("requestId"), answer.DataString("status")).ShouldBe((ResultCodes.ApplySuccess, true, "req_1", OrderStatuses.Success));
        var token = answer.DataString("paymentTokenID");
        var listed = (await _host.Merchant.InquireTokensAsync("ada", Wire.TokenScopeMit)).Data.GetProperty("tokenList")[0];
        (listed.GetProperty("paymentTokenID").GetString(), listed.GetProperty("merchantInitiated").GetBoolean()).ShouldBe((token, true));
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("mit"), "ada", token))).DataString("status").ShouldBe(OrderStatuses.Success);

        var inquired = await InquireAsync("ada", "req_1");
        (inquired.DataString("status"), inquired.DataString("paymentTokenID")).ShouldBe((OrderStatuses.Success, token));
        (await InquireAsync("eve", "req_1")).Code.ShouldBe(ResultCodes.OrderNotExist);
        (await _host.OtherMerchant.PostAsync("InquireApplyRequest", new JsonObject { ["userId"] = "ada", ["requestId"] = "req_1" })).Code.ShouldBe(ResultCodes.OrderNotExist);
        (await _host.Merchant.QueryAsync("apply:req_1")).Code.ShouldBe(ResultCodes.ParamsInvalid, "orderQuery does not show applications");

        var received = await _receiver.WaitForAsync(2);
        received.Select(r => r.Json.GetProperty("notifyType").GetString()).ShouldBe([Wire.NotifyTokenization, Wire.NotifyPayment], ignoreOrder: true, "the tokenization of the application and the MIT's payment");
        received.Count(r => r.Json.GetProperty("notifyType").GetString() == Wire.NotifyPayment && r.Json.GetProperty("data").GetProperty("outTradeNo").GetString()!.StartsWith("apply:", StringComparison.Ordinal)).ShouldBe(0);
    }

    [Fact]
    public async Task WithoutMitType_TheTokenServesTheCustomerOnly_AndTheSameCardKeepsOneToken()
    {
        var first = (await ApplyAsync(Application("req_cit", "bea", mitType: null))).DataString("paymentTokenID");
        var again = (await ApplyAsync(Application("req_cit2", "bea", mitType: "SCHEDULED"))).DataString("paymentTokenID");

        again.ShouldBe(first, "one token per card per user; the second application gave it a mitType");
        (await _host.Merchant.InquireTokensAsync("bea", Wire.TokenScopeMit)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(1);
        var cit = (await ApplyAsync(Application("req_cit3", "cid", mitType: null))).DataString("paymentTokenID");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("mit"), "cid", cit))).Msg.ShouldContain("without mitType");
    }

    [Fact]
    public async Task A3dsCard_IsPendingWithTheChallenge_ThenSavedAfterIt_AndTheBrowserReturns()
    {
        var answer = await ApplyAsync(Application("req_3ds", "dee", pan: "4000000000003220", org: "VISA"));
        answer.DataString("status").ShouldBe(OrderStatuses.Pending);
        var link = answer.DataString("redirectUrl");
        (await InquireAsync("dee", "req_3ds")).DataString("redirectUrl").ShouldBe(link);

        using var passed = await _host.Http.PostAsync(link, new FormUrlEncodedContent([new("outcome", "pass")]));

        passed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        passed.Headers.Location!.ToString().ShouldBe("https://shop.example/saved");
        var saved = await InquireAsync("dee", "req_3ds");
        saved.DataString("status").ShouldBe(OrderStatuses.Success);
        saved.DataString("paymentTokenID").ShouldStartWith("PMTOKEN");
    }

    [Fact]
    public async Task ADeclinedCard_Fails_WithItsCode_AndSavesNothing()
    {
        var answer = await ApplyAsync(Application("req_decl", "fay", pan: "4000000000000002", org: "VISA"));

        (answer.DataString("status"), answer.DataString("resultCode")).ShouldBe((OrderStatuses.Failed, ResultCodes.IssuerPaymentRejected));
        (await _host.Merchant.InquireTokensAsync("fay")).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
        (await InquireAsync("fay", "req_decl")).DataString("status").ShouldBe(OrderStatuses.Failed);
    }

    [Fact]
    public async Task ARepeatedRequestId_AnswersTheSameApplication_AnotherUsersIsRefused()
    {
        var first = await ApplyAsync(Application("req_rep", "gus"));
        var again = await ApplyAsync(Application("REQ_REP", "gus"));
        var other = await ApplyAsync(Application("req_rep", "hal"));

        again.DataString("paymentTokenID").ShouldBe(first.DataString("paymentTokenID"));
        other.Code.ShouldBe(ResultCodes.OrderRepeat);
        (await _host.Merchant.InquireTokensAsync("hal")).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("requestId", null, "requestId")]
    [InlineData("requestId", "bad id", "requestId")]
    [InlineData("userId", null, "userId")]
    [InlineData("tokenScope", "tokenMit", "tokenScope")]
    [InlineData("paymentMethodType", "WALLET", "paymentMethodType")]
    [InlineData("mitType", "SOMETIMES", "mitType")]
    [InlineData("frontCallbackUrl", null, "frontCallbackUrl")]
    [InlineData("cardOrg", "MASTERCARD", "cardInfo.cardOrg")]
    [InlineData("cardOrg", null, "cardInfo.cardOrg")]
    [InlineData("cardIdentifierNo", "4444333322221112", "cardInfo.cardIdentifierNo")]
    public async Task BadApplication_IsRefusedNamingTheField_AndSavesNothing(string field, string? value, string named)
    {
        var data = Application("req_bad", "ivy");
        var target = field is "cardOrg" or "cardIdentifierNo" ? data["cardInfo"]!.AsObject() : data;
        if (value is null)
        {
            target.Remove(field);
        }
        else
        {
            target[field] = value;
        }

        var answer = await ApplyAsync(data);

        answer.Code.ShouldNotBe(ResultCodes.ApplySuccess);
        answer.Msg.ShouldContain(named);
        (await _host.Merchant.InquireTokensAsync("ivy")).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
        (await InquireAsync("ivy", "req_bad")).Code.ShouldNotBe(ResultCodes.ApplySuccess);
    }

    private static JsonObject Application(string requestId, string userId, string? mitType = "UNSCHEDULE", string pan = "4444333322221111", string org = "VISA") => new()
    {
        ["requestId"] = requestId,
        ["userId"] = userId,
        ["country"] = "US",
        ["paymentMethodType"] = "CARD",
        ["tokenScope"] = "tokenAcq",
        ["mitType"] = mitType,
        ["frontCallbackUrl"] = "https://shop.example/saved",
        ["cardInfo"] = new JsonObject
        {
            ["cardOrg"] = org,
            ["cardIdentifierNo"] = pan,
            ["cardHolderFullName"] = "Ada Lovelace",
            ["cardExpirationMonth"] = "12",
            ["cardExpirationYear"] = "30",
            ["cvv"] = "123",
        },
        ["envInfo"] = new JsonObject { ["clientIp"] = "203.0.113.7", ["userAgent"] = "Mozilla/5.0", ["terminalType"] = "WEB" },
    };

    private Task<GatewayAnswer> ApplyAsync(JsonObject data) => _host.Merchant.PostAsync("applyPaymentToken", data);

    private Task<GatewayAnswer> InquireAsync(string userId, string requestId) =>
        _host.Merchant.PostAsync("InquireApplyRequest", new JsonObject { ["userId"] = userId, ["requestId"] = requestId });
}
