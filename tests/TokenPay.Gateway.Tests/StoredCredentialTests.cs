using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Acquiring;
using TokenPay.Acquiring.Simulator;
using TokenPay.Gateway.Tokens;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// The network rules on stored credentials as the simulator enforces them and the gateway passes them on
/// (docs/stored-credentials.md): linked MITs, decline advice, the retry budget, do-not-retry, account updates.
/// </summary>
public sealed class StoredCredentialTests : IAsyncLifetime
{
    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        _host = await StartGatewayAsync(updaterInterval: null);
    }

    private Task<GatewayHost> StartGatewayAsync(string? updaterInterval)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Merchants:0:NotifyUrl"] = _receiver.Url,
            ["Gateway:Merchants:0:TokenizationNotifications"] = "true",
            // The clock jumps days: a 10 s sweep would run sixty thousand times per week jumped.
            ["Gateway:Orders:ExpirySweepInterval"] = "01:00:00",
            ["Gateway:Orders:RecoverAfter"] = "02:00:00",
        };
        if (updaterInterval is not null)
        {
            settings["Gateway:Acquirers:AccountUpdaterInterval"] = updaterInterval;
        }

        return GatewayHost.StartAsync(settings);
    }

    /// <summary>The account updater runs as the fake clock moves; with the scheduled updater off, only a decline can trigger a card update.</summary>
    private async Task UseHostWithoutScheduledUpdatesAsync()
    {
        await _host.DisposeAsync();
        _host = await StartGatewayAsync(updaterInterval: "00:00:00");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task TheStoringPayment_GetsANetworkTransactionId_KeptWithTheToken_AndEveryMitCarriesIt()
    {
        var (token, binding) = await BindAsync("ada", "4242424242424242");
        var nti = (await _host.Merchant.QueryAsync(binding)).DataString("thirdChannelNo");
        nti.ShouldMatch("^[0-9]{15}$");
        (await _host.TextColumnAsync($"SELECT network_transaction_id FROM payment_tokens WHERE payment_token_id = '{token}'")).ShouldBe([nti]);

        (await MitAsync("ada", token)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await MitAsync("ada", token)).DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task AnMitWithoutItsInitialTransaction_IsDeclinedForDataQuality()
    {
        var (token, _) = await BindAsync("bea", "4242424242424242");
        // As a token saved before network transaction ids were kept.
        await _host.ScalarAsync($"UPDATE payment_tokens SET network_transaction_id = NULL WHERE payment_token_id = '{token}'");

        var declined = await MitAsync("bea", token);

        (declined.DataString("status"), declined.DataString("resultCode")).ShouldBe((OrderStatuses.Failed, ResultCodes.IssuerPaymentRejected));
        declined.DataString("resultMsg").ShouldContain("network transaction id");
        Advice(declined.Data).ShouldBe((3, null, null, false));
    }

    [Fact]
    public async Task ATokenSavedBeforeNetworkIdsWereKept_IsALegacyCredential_WhoseMitsNeedNoInitialId()
    {
        var (token, _) = await BindAsync("bob", "4242424242424242");
        // As the migration marks every token saved before it.
        await _host.ScalarAsync($"UPDATE payment_tokens SET network_transaction_id = NULL, legacy_credential = 1 WHERE payment_token_id = '{token}'");

        (await MitAsync("bob", token)).DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task AnMitLinkedToATransactionThatDidNotStoreTheCard_IsDeclined()
    {
        var simulator = _host.App.Services.GetRequiredKeyedService<IAcquirer>(SimulatorRegistration.Name);
        var card = new PlainCard("4242424242424242", null, 3, 2030, "123");
        var oneOff = await simulator.AuthorizeAsync(Request("T_ONE_OFF", card, StoredCredential.OneOff), default);
        var stored = await simulator.AuthorizeAsync(Request("T_STORE", card, new(Initiator.Customer, CredentialUse.First, CredentialUsage.Unscheduled)), default);
        AuthorizationRequest MerchantInitiated(StoredCredential credential) => Request("T_MIT_" + Guid.NewGuid().ToString("N")[..8], card with { Cvv = null }, credential);

        var linkedToOneOff = await simulator.AuthorizeAsync(MerchantInitiated(new(Initiator.Merchant, CredentialUse.Subsequent, CredentialUsage.Unscheduled, oneOff.NetworkTransactionId)), default);
        var unknown = await simulator.AuthorizeAsync(MerchantInitiated(new(Initiator.Merchant, CredentialUse.Subsequent, CredentialUsage.Unscheduled, "999999999999999")), default);
        var markedFirst = await simulator.AuthorizeAsync(MerchantInitiated(new(Initiator.Merchant, CredentialUse.First, CredentialUsage.Unscheduled, stored.NetworkTransactionId)), default);
        var linked = await simulator.AuthorizeAsync(MerchantInitiated(new(Initiator.Merchant, CredentialUse.Subsequent, CredentialUsage.Unscheduled, stored.NetworkTransactionId)), default);

        (oneOff.Decision, stored.Decision).ShouldBe((AuthorizationDecision.Approved, AuthorizationDecision.Approved));
        linkedToOneOff.Message!.ShouldContain("not a customer-initiated transaction that stored this card");
        new[] { linkedToOneOff.Decision, unknown.Decision, markedFirst.Decision, linked.Decision }
            .ShouldBe([AuthorizationDecision.Declined, AuthorizationDecision.Declined, AuthorizationDecision.Declined, AuthorizationDecision.Approved]);
    }

    [Fact]
    public async Task AdviceOfADecline_IsOnTheAnswer_TheQuery_AndTheNotification()
    {
        var (token, _) = await BindAsync("cid", "4000000000000259");
        var outTradeNo = GatewayFixture.NewId("mit");
        var declinedAt = _host.Clock.GetUtcNow();

        var answer = await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(outTradeNo, "cid", token));

        var retryAfter = PayerMaxTime.Format(declinedAt.AddHours(24));
        answer.DataString("status").ShouldBe(OrderStatuses.Failed);
        Advice(answer.Data).ShouldBe((2, "25", retryAfter, false));
        Advice((await _host.Merchant.QueryAsync(outTradeNo)).Data).ShouldBe((2, "25", retryAfter, false));
        var notified = await WaitForPaymentAsync(outTradeNo);
        Advice(notified.GetProperty("data")).ShouldBe((2, "25", retryAfter, false));
    }

    [Fact]
    public async Task Mac25_ARetryBeforeTheDay_IsDeclinedAgain_AndOneAfterIt_IsApproved()
    {
        var (token, _) = await BindAsync("dee", "4000000000000259");
        (await MitAsync("dee", token)).DataString("status").ShouldBe(OrderStatuses.Failed);

        _host.Clock.Advance(TimeSpan.FromHours(23));
        var early = await MitAsync("dee", token);
        _host.Clock.Advance(TimeSpan.FromHours(1));
        var onTime = await MitAsync("dee", token);

        (early.DataString("status"), Advice(early.Data).Mac).ShouldBe((OrderStatuses.Failed, "25"));
        onTime.DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task Visa_The20thRetryIn30Days_IsTheIssuers_The21stIsRefusedAndCounted_And30DaysLaterRetriesGoAgain()
    {
        // MAC 02: the issuer cannot approve for three days; the merchant retries every few minutes (Mastercard would refuse the 11th).
        var (token, _) = await BindAsync("eve", "4000000000000028");
        var answers = await MitsAsync("eve", token, count: 22, every: TimeSpan.FromMinutes(5));

        answers.ShouldAllBe(a => a.DataString("status") == OrderStatuses.Failed);
        answers.Take(21).ShouldAllBe(a => a.DataString("resultMsg").StartsWith("The issuer cannot approve now", StringComparison.Ordinal), "the first decline and 20 retries are the issuer's");
        answers[21].DataString("resultMsg").ShouldBe("Retry refused: this merchant already reattempted declined merchant-initiated payments on this card 20 times in 30 days, Visa's limit. The network counts this retry as a violation.");
        (await ViolationsAsync()).ShouldBe([("VISA_EXCESSIVE_REATTEMPTS", 1L)]);

        // 30 days after the last reattempt none is in the window, and the issuer (three days on) approves.
        _host.Clock.Advance(TimeSpan.FromDays(30));
        (await MitAsync("eve", token)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await ViolationsAsync()).ShouldBe([("VISA_EXCESSIVE_REATTEMPTS", 1L)]);
    }

    [Fact]
    public async Task Mastercard_The11thRetryIn24Hours_IsRefusedAndCounted_AndADayLaterTheIssuerAnswersAgain()
    {
        var (token, _) = await BindAsync("eli", "5200000000050028");
        var answers = await MitsAsync("eli", token, count: 12, every: TimeSpan.FromMinutes(5));

        answers.Take(11).ShouldAllBe(a => a.DataString("resultMsg").StartsWith("The issuer cannot approve now", StringComparison.Ordinal), "the first decline and 10 retries are the issuer's");
        answers[11].DataString("resultMsg").ShouldBe("Retry refused: this merchant already reattempted declined merchant-initiated payments on this card 10 times in 24 hours, Mastercard's limit. The network counts this retry as a violation.");
        (await ViolationsAsync()).ShouldBe([("MASTERCARD_EXCESSIVE_ATTEMPTS_24H", 1L)]);

        // 24 hours after the refused one the window is empty again; the issuer (MAC 02 for three days) still declines.
        _host.Clock.Advance(TimeSpan.FromHours(24));
        (await MitAsync("eli", token)).DataString("resultMsg").ShouldStartWith("The issuer cannot approve now");
        (await ViolationsAsync()).ShouldBe([("MASTERCARD_EXCESSIVE_ATTEMPTS_24H", 1L)]);
    }

    [Fact]
    public async Task Mastercard_The36thRetryIn30Days_IsRefusedAndCounted_ThoughNo24HoursHeldMoreThan10()
    {
        // MAC 30: the issuer declines for ten days; six retries a day stay within the 24-hour limit.
        var (token, _) = await BindAsync("flo", "5200000000050309");
        var answers = await MitsAsync("flo", token, count: 37, every: TimeSpan.FromHours(4));

        answers.Take(36).ShouldAllBe(a => a.DataString("resultMsg").StartsWith("The issuer cannot approve now", StringComparison.Ordinal), "the first decline and 35 retries are the issuer's");
        answers[36].DataString("resultMsg").ShouldBe("Retry refused: this merchant already reattempted declined merchant-initiated payments on this card 35 times in 30 days, Mastercard's limit. The network counts this retry as a violation.");
        (await ViolationsAsync()).ShouldBe([("MASTERCARD_EXCESSIVE_ATTEMPTS_30D", 1L)]);
    }

    [Theory]
    [InlineData("4000000000000101", 1, null)]
    [InlineData("4000000000000036", 1, NetworkAdvice.DoNotTryAgain)]
    [InlineData("4000000000000218", 1, NetworkAdvice.StopRecurring)]
    public async Task AfterDoNotRetryAdvice_EveryRetryIsRefused_EvenMuchLater_AndCounted(string pan, int category, string? mac)
    {
        var (token, _) = await BindAsync("fay", pan);
        var first = await MitAsync("fay", token);
        Advice(first.Data).ShouldBe((category, mac, null, true));

        _host.Clock.Advance(TimeSpan.FromDays(45));
        var retry = await MitAsync("fay", token);

        retry.DataString("status").ShouldBe(OrderStatuses.Failed);
        retry.DataString("resultMsg").ShouldStartWith("Retry refused");
        Advice(retry.Data).DoNotRetry.ShouldBeTrue();
        (await ViolationsAsync()).ShouldBe([(AcquirerSimulator.ViolationRetryForbidden, 1L)]);
    }

    [Fact]
    public async Task AReissuedCard_GetsItsNewExpiryBehindTheSameToken_WithATokenizationNotification()
    {
        var (token, _) = await BindAsync("gil", "4000000000001117");
        // Past the issuer's change and a day more: the daily check after the change finds it.
        _host.Clock.Advance(TimeSpan.FromDays(8));

        // The updater also runs as the fake clock moves: whichever run comes first applies the update, once.
        var listed = await Eventually.UntilAsync(async () =>
            {
                await CheckCardsAsync();
                return (await _host.Merchant.InquireTokensAsync("gil")).Data.GetProperty("tokenList")[0];
            },
            t => t.TryGetProperty("cardUpdate", out _), "the account updater's change");
        (listed.GetProperty("paymentTokenID").GetString(), listed.GetProperty("paymentTokenExpiry").GetString(), listed.GetProperty("cardUpdate").GetString())
            .ShouldBe((token, "2033-03-31T23:59:59.999+00:00", "NEW_EXPIRY"));
        var update = await WaitForCardUpdateAsync(token);
        (update.GetProperty("paymentTokenExpiry").GetString(), update.GetProperty("paymentTokenStatus").GetString()).ShouldBe(("2033-03-31T23:59:59.999+00:00", TokenStatuses.Activated));
        update.TryGetProperty("outTradeNo", out _).ShouldBeFalse("only the first notification of a token names the payment that saved it");
        (await MitAsync("gil", token)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await CheckCardsAsync()).ShouldBe(0, "checked once per interval, and the card is current now");
    }

    [Fact]
    public async Task AReplacedCard_UsedBeforeTheUpdaterRan_IsDeclinedWithMac01_ThenUpdated_AndTheRetryWorks()
    {
        await UseHostWithoutScheduledUpdatesAsync();
        var (token, _) = await BindAsync("hal", "4000000000002222");
        _host.Clock.Advance(TimeSpan.FromDays(7));

        var declined = await MitAsync("hal", token);
        var retried = await MitAsync("hal", token);

        Advice(declined.Data).ShouldBe((3, NetworkAdvice.NewAccountInformation, null, false));
        retried.DataString("status").ShouldBe(OrderStatuses.Success);
        var listed = (await _host.Merchant.InquireTokensAsync("hal")).Data.GetProperty("tokenList")[0];
        (listed.GetProperty("paymentTokenID").GetString(), listed.GetProperty("cardInfo").GetString(), listed.GetProperty("cardUpdate").GetString())
            .ShouldBe((token, "400000******3337", "NEW_NUMBER"));
        (await WaitForCardUpdateAsync(token)).GetProperty("cardInfo").GetString().ShouldBe("400000******3337");
    }

    [Fact]
    public async Task ACardClosedByItsIssuer_EndsTheToken_AndAnMitIsRefusedSayingSo()
    {
        var (token, _) = await BindAsync("ivy", "4000000000004442");
        _host.Clock.Advance(TimeSpan.FromDays(8));

        await CheckCardsAsync();

        var update = await WaitForCardUpdateAsync(token);
        (update.GetProperty("cardUpdate").GetString(), update.GetProperty("paymentTokenStatus").GetString()).ShouldBe(("CLOSED", TokenStatuses.Deleted));
        var refused = await MitAsync("ivy", token);
        (refused.Code, refused.Msg).ShouldBe((ResultCodes.TokenInvalid, "paymentTokenID can no longer be charged: the issuer closed the card (merchant advice code 21). Ask the customer for another card."));
    }

    [Fact]
    public async Task ACardClosedBeforeTheUpdaterRan_IsDeclinedWithMac21_AndTheTokenEndsAtOnce()
    {
        await UseHostWithoutScheduledUpdatesAsync();
        var (token, _) = await BindAsync("jon", "4000000000004442");
        _host.Clock.Advance(TimeSpan.FromDays(8));

        var declined = await MitAsync("jon", token);

        Advice(declined.Data).ShouldBe((1, NetworkAdvice.StopRecurring, null, true));
        (await MitAsync("jon", token)).Code.ShouldBe(ResultCodes.TokenInvalid);
    }

    private async Task<(string Token, string Binding)> BindAsync(string userId, string pan)
    {
        var outTradeNo = GatewayFixture.NewId("bind");
        var answer = await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(outTradeNo, userId, pan));
        answer.DataString("status").ShouldBe(OrderStatuses.Success, answer.ToString());
        var token = (await _host.Merchant.QueryAsync(outTradeNo)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
        return (token, outTradeNo);
    }

    /// <summary>Sends <paramref name="count"/> MITs on the token, the clock moving <paramref name="every"/> after each.</summary>
    private async Task<List<GatewayAnswer>> MitsAsync(string userId, string token, int count, TimeSpan every)
    {
        var answers = new List<GatewayAnswer>();
        for (var i = 0; i < count; i++)
        {
            answers.Add(await MitAsync(userId, token));
            _host.Clock.Advance(every);
        }

        return answers;
    }

    private Task<GatewayAnswer> MitAsync(string userId, string token) =>
        _host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("mit"), userId, token));

    private static AuthorizationRequest Request(string tradeToken, PlainCard card, StoredCredential credential) =>
        new(tradeToken, TestKeys.MerchantNo, card, 1_000, "USD", "Test", credential, false, GatewayHost.Epoch.AddYears(1));

    private static (int? Category, string? Mac, string? RetryAfter, bool DoNotRetry) Advice(JsonElement data)
    {
        var advice = data.GetProperty("declineAdvice");
        return (
            advice.TryGetProperty("category", out var category) ? category.GetInt32() : null,
            advice.TryGetProperty("merchantAdviceCode", out var mac) ? mac.GetString() : null,
            advice.TryGetProperty("retryAfter", out var retryAfter) ? retryAfter.GetString() : null,
            advice.GetProperty("doNotRetry").GetBoolean());
    }

    private async Task<IReadOnlyList<(string, long)>> ViolationsAsync() =>
        [.. (await _host.App.Services.GetRequiredService<SimulatorStore>().ViolationsAsync(TestKeys.MerchantNo, default)).Select(v => (v.Violation, v.Count))];

    private Task<int> CheckCardsAsync() => _host.App.Services.GetRequiredService<CardUpdater>().CheckDueAsync(CancellationToken.None);

    private async Task<JsonElement> WaitForPaymentAsync(string outTradeNo) =>
        (await Eventually.UntilAsync(() => Task.FromResult(_receiver.Received.Select(r => r.Json).FirstOrDefault(j =>
            j.GetProperty("notifyType").GetString() == Wire.NotifyPayment && j.GetProperty("data").GetProperty("outTradeNo").GetString() == outTradeNo)),
            found => found.ValueKind != JsonValueKind.Undefined, $"the PAYMENT notification of {outTradeNo}"))!;

    private async Task<JsonElement> WaitForCardUpdateAsync(string token) =>
        (await Eventually.UntilAsync(() => Task.FromResult(_receiver.Received.Select(r => r.Json.GetProperty("data")).FirstOrDefault(d =>
            d.TryGetProperty("cardUpdate", out _) && d.GetProperty("paymentTokenID").GetString() == token)),
            found => found.ValueKind != JsonValueKind.Undefined, $"the card-update notification of {token}"))!;
}
