using System.Text.Json;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// The TOKENIZATION notification (docs/protocol.md 5.1): its fields when a card is saved by a payment or by an
/// application, and the notifications of the token's later changes (removed, expired), which name no outTradeNo.
/// Merchant 0 takes TOKENIZATION notifications; merchant 1 has a notify URL but does not take them.
/// </summary>
public sealed class TokenizationNotificationTests : IAsyncLifetime
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
            ["Gateway:Merchants:1:NotifyUrl"] = _receiver.Url,
            // The clock jumps years: a sweep a month, not one per 10 s of the jump.
            ["Gateway:Orders:ExpirySweepInterval"] = "30.00:00:00",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ACardSavedByAPayment_IsNotifiedWithThePayment_TheScopeCountryAndMitSupport()
    {
        var order = GatewayFixture.NewId("bind");
        await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, "ann", mitType: "UNSCHEDULED"));

        var token = await TokenizationAsync(1);

        (token.GetProperty("outTradeNo").GetString(), token.GetProperty("paymentTokenStatus").GetString(), token.GetProperty("tokenScope").GetString()).ShouldBe((order, TokenStatuses.Activated, "tokenAcq"));
        (token.GetProperty("supportMIT").GetBoolean(), token.GetProperty("ifCVV").GetString(), token.GetProperty("status").GetString(), token.GetProperty("country").GetString())
            .ShouldBe((true, "N", "SUCCESS", "US"));
        (token.GetProperty("paymentTokenExpiry").GetString(), token.GetProperty("cardInfo").GetString()).ShouldBe(("2030-03-31T23:59:59.999+00:00", "444433******1111"));
        token.TryGetProperty("requestId", out _).ShouldBeFalse("a payment saved it");
        token.TryGetProperty("merchantInitiated", out _).ShouldBeFalse("PayerMax's field is supportMIT");
    }

    [Fact]
    public async Task ACardSavedByAnApplication_IsNotifiedWithItsRequestId_AndNoOutTradeNo()
    {
        await _host.Merchant.PostAsync("applyPaymentToken", Application("req_tok", "bob"));

        var token = await TokenizationAsync(1);

        (token.GetProperty("requestId").GetString(), token.GetProperty("supportMIT").GetBoolean(), token.GetProperty("status").GetString()).ShouldBe(("req_tok", false, "SUCCESS"));
        token.TryGetProperty("outTradeNo", out _).ShouldBeFalse("an application is no payment: no apply:... number on the wire");
    }

    [Fact]
    public async Task ARemovedToken_IsNotifiedDeleted_WithoutOutTradeNo_Once()
    {
        var tokenId = await BindAsync("cat");

        await _host.Merchant.RemoveTokenAsync("cat", tokenId);
        await _host.Merchant.RemoveTokenAsync("cat", tokenId);

        var removed = await TokenizationAsync(2);
        (removed.GetProperty("paymentTokenID").GetString(), removed.GetProperty("paymentTokenStatus").GetString()).ShouldBe((tokenId, TokenStatuses.Deleted));
        removed.TryGetProperty("outTradeNo", out _).ShouldBeFalse("only the first notification of a token names its payment");
        (await _host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE notify_type = 'TOKENIZATION'")).ShouldBe(2, "saved, removed; the repeated removal changed nothing");
    }

    [Fact]
    public async Task AnExpiredCard_EndsItsToken_WithAnExpiredNotification()
    {
        var tokenId = await BindAsync("dan");
        // The card (03/30) is valid through March 2030.
        _host.Clock.Advance(new DateTimeOffset(2030, 3, 31, 23, 0, 0, TimeSpan.Zero) - _host.Clock.GetUtcNow());
        await ExpireTokensAsync();
        (await _host.Merchant.InquireTokensAsync("dan")).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Activated);

        _host.Clock.Advance(TimeSpan.FromHours(2));
        // The host's own runner may run first: either ends the token, once.
        await ExpireTokensAsync();
        var expired = await TokenizationAsync(2);
        await ExpireTokensAsync();

        (expired.GetProperty("paymentTokenID").GetString(), expired.GetProperty("paymentTokenStatus").GetString()).ShouldBe((tokenId, TokenStatuses.Expired));
        expired.TryGetProperty("outTradeNo", out _).ShouldBeFalse();
        (await _host.Merchant.InquireTokensAsync("dan")).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Expired);
        (await _host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE notify_type = 'TOKENIZATION'")).ShouldBe(2, "saved, expired");
    }

    [Fact]
    public async Task AMerchantThatTakesNoTokenizationNotifications_HearsOfNoTokenChange()
    {
        var order = GatewayFixture.NewId("other");
        await _host.OtherMerchant.PostAsync("orderAndPay", OrderRequests.Bind(order, "eve"));
        await _receiver.WaitForAsync(1);
        var tokenId = (await _host.OtherMerchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;

        (await _host.OtherMerchant.RemoveTokenAsync("eve", tokenId)).Code.ShouldBe(ResultCodes.ApplySuccess);
        _host.Clock.Advance(TimeSpan.FromDays(365 * 4));
        await ExpireTokensAsync();

        (await _host.ScalarAsync("SELECT COUNT(*) FROM notifications")).ShouldBe(1, "the payment's PAYMENT notification only");
    }

    private async Task<string> BindAsync(string userId)
    {
        await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("bind"), userId));
        var tokenId = (await TokenizationAsync(1)).GetProperty("paymentTokenID").GetString()!;
        // Received is not yet recorded: a test that then moves the clock past the delivery timeout would see the
        // in-flight delivery time out and be sent again (at least once, as designed).
        await Eventually.UntilAsync(() => _host.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status <> 'Delivered'"), c => c == 0, "the deliveries recorded");
        return tokenId;
    }

    /// <summary>The data of the <paramref name="count"/>th TOKENIZATION notification to arrive (PAYMENT ones are skipped).</summary>
    private async Task<JsonElement> TokenizationAsync(int count)
    {
        var tokenizations = await Eventually.UntilAsync(
            () => Task.FromResult(_receiver.Received.Where(r => r.Json.GetProperty("notifyType").GetString() == Wire.NotifyTokenization).ToList()),
            list => list.Count >= count, "the TOKENIZATION notification");
        return tokenizations[count - 1].Json.GetProperty("data");
    }

    private Task<int> ExpireTokensAsync() =>
        ((Tokens.TokenExpiry)_host.App.Services.GetService(typeof(Tokens.TokenExpiry))!).ExpireDueAsync(CancellationToken.None);

    private static JsonObject Application(string requestId, string userId) => new()
    {
        ["requestId"] = requestId,
        ["userId"] = userId,
        ["country"] = "US",
        ["paymentMethodType"] = "CARD",
        ["tokenScope"] = "tokenAcq",
        ["frontCallbackUrl"] = "https://shop.example/saved",
        ["cardInfo"] = new JsonObject
        {
            ["cardOrg"] = "VISA",
            ["cardIdentifierNo"] = "4444333322221111",
            ["cardHolderFullName"] = "Bob Smith",
            ["cardExpirationMonth"] = "12",
            ["cardExpirationYear"] = "30",
            ["cvv"] = "123",
        },
    };
}
