using Microsoft.Extensions.DependencyInjection;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>Unscheduled MIT charges: idempotent by chargeId, also when an answer is lost on the way.</summary>
public sealed class ChargeTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task SameChargeIdTwice_ChargesOnce()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        await SeedWalletAsync(merchant, "alice");
        var charges = merchant.Service<ChargeService>();

        var first = await charges.ChargeAsync(new ChargeRequest("alice", 7.50m, "USD", "Top-up", "charge-1"), default);
        var second = await charges.ChargeAsync(new ChargeRequest("alice", 7.50m, "USD", "Top-up", "charge-1"), default);

        first.Status.ShouldBe(OrderStatuses.Success);
        first.Replayed.ShouldBeFalse();
        second.ShouldBe(first with { Replayed = true });
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Theory]
    [InlineData("alice", 9.50, "USD", "amount")]
    [InlineData("alice", 7.50, "EUR", "currency")]
    [InlineData("mallory", 7.50, "USD", "userId")]
    public async Task SameChargeIdOtherParameters_RefusedNamingWhatDiffers(string user, double amount, string currency, string field)
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        await SeedWalletAsync(merchant, "alice");
        var charges = merchant.Service<ChargeService>();
        (await charges.ChargeAsync(new ChargeRequest("alice", 7.50m, "USD", "Top-up", "charge-k"), default)).Status.ShouldBe(OrderStatuses.Success);

        var reused = await charges.ChargeAsync(new ChargeRequest(user, (decimal)amount, currency, "Top-up", "charge-k"), default);

        reused.IsChargeIdConflict.ShouldBeTrue();
        reused.ResultMsg.ShouldNotBeNull().ShouldContain(field);
        (await GatewayMitOrdersAsync()).ShouldBe(1);
        using var api = await merchant.Api.PostAsync("/api/charges", new StringContent($$"""{"userId":"{{user}}","amount":{{amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"currency":"{{currency}}","reason":"Top-up","chargeId":"charge-k"}""", System.Text.Encoding.UTF8, "application/json"));
        api.StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict);
        (await api.Content.ReadAsStringAsync()).ShouldContain(field);
        var replay = await merchant.Api.PostAsync("/api/charges", new StringContent("""{"userId":"alice","amount":7.5,"currency":"usd","reason":"Other reason","chargeId":"charge-k"}""", System.Text.Encoding.UTF8, "application/json"));
        (await replay.Content.ReadAsStringAsync()).ShouldContain("\"replayed\":true");
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task AnswerLostAfterGatewayCharged_SecondAskSettlesByQueryWithoutSecondCharge()
    {
        // The first orderAndPay is processed but its answer is lost, and so is the immediate recovery query.
        var network = new LossyNetwork((api, n) => (api, n) is ("orderAndPay", 1) ? Loss.Answer : (api, n) is ("orderQuery", 1) ? Loss.Answer : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "bob");
        var charges = merchant.Service<ChargeService>();

        var first = await charges.ChargeAsync(new ChargeRequest("bob", 9.99m, "USD", "Top-up", "charge-lost-answer"), default);
        var second = await charges.ChargeAsync(new ChargeRequest("bob", 9.99m, "USD", "Top-up", "charge-lost-answer"), default);

        first.Status.ShouldBe("CREATED", "the outcome was unknown after the first call");
        second.Status.ShouldBe(OrderStatuses.Success);
        second.OutTradeNo.ShouldBe(first.OutTradeNo);
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task RequestLostBeforeGateway_SecondAskSendsItOnce()
    {
        var network = new LossyNetwork((api, n) => (api, n) is ("orderAndPay", 1) ? Loss.Request : (api, n) is ("orderQuery", 1) ? Loss.Request : Loss.None);
        await using var merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => network)));
        await SeedWalletAsync(merchant, "carol");
        var charges = merchant.Service<ChargeService>();

        var first = await charges.ChargeAsync(new ChargeRequest("carol", 3m, "USD", "Top-up", "charge-lost-request"), default);
        (await GatewayMitOrdersAsync()).ShouldBe(0);
        var second = await charges.ChargeAsync(new ChargeRequest("carol", 3m, "USD", "Top-up", "charge-lost-request"), default);

        first.Status.ShouldBe("CREATED");
        second.Status.ShouldBe(OrderStatuses.Success);
        (await GatewayMitOrdersAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Decline_RecordedWithCode()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        await SeedWalletAsync(merchant, "dave", "4000000000000341");

        var result = await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("dave", 5m, "USD", "Top-up", "charge-declined"), default);

        result.Status.ShouldBe(OrderStatuses.Failed);
        result.ResultCode.ShouldBe(ResultCodes.IssuerPaymentRejected);
    }

    [Fact]
    public async Task RemovedCard_NextChargeRefusedAndNothingSent()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var token = await SeedWalletAsync(merchant, "erin");
        await merchant.Service<WalletService>().RemoveAsync("erin", token, default);

        var result = await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("erin", 5m, "USD", "Top-up", "after-removal", token), default);

        result.Status.ShouldBe("REFUSED");
        (await GatewayMitOrdersAsync()).ShouldBe(0);
        (await _gateway.Merchant.InquireTokensAsync("erin")).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Deleted);
        (await merchant.Service<WalletService>().ListAsync("erin", default)).Single().Status.ShouldBe(TokenStatuses.Deleted);
    }

    [Fact]
    public async Task TokenDeadAtGateway_DeclineMarksWalletEntry()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var token = await SeedWalletAsync(merchant, "frank");
        // Removed elsewhere (another channel): the wallet does not know yet.
        await _gateway.Merchant.RemoveTokenAsync("frank", token);

        var result = await merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("frank", 5m, "USD", "Top-up", "dead-token"), default);

        result.Status.ShouldBe("REFUSED");
        result.ResultCode.ShouldBe(ResultCodes.TokenInvalid);
        (await merchant.Service<WalletService>().ListAsync("frank", default)).Single().Status.ShouldBe(TokenStatuses.Deleted);
    }

    [Fact]
    public async Task BatchOf1000_SummaryAddsUpAndRerunChargesNothingMore()
    {
        await using var merchant = await MerchantHost.StartAsync(_gateway);
        var users = Enumerable.Range(0, 10).Select(i => $"batch_user_{i}").ToList();
        foreach (var user in users)
        {
            await SeedWalletAsync(merchant, user, user.EndsWith('9') ? "4000000000000341" : "4444333322221111");
        }

        var requests = Enumerable.Range(0, 1000)
            .Select(i => new ChargeRequest(users[i % 10], 1m + (i % 7), "USD", "Usage", $"batch-{i}"))
            .ToList();
        var batch = merchant.Service<ChargeBatch>();

        var summary = (await batch.RunAsync(requests, parallelism: 16, onEach: null, default)).Summary;
        var again = (await batch.RunAsync(requests, parallelism: 16, onEach: null, default)).Summary;

        var detail = $"succeeded {summary.Succeeded}, declined {summary.Declined}, refused {summary.Refused}, unknown {summary.Unknown}, codes {string.Join(", ", summary.DeclineCodes.Select(c => $"{c.Key}={c.Value}"))}";
        (summary.Succeeded + summary.Declined + summary.Refused + summary.Unknown).ShouldBe(1000, detail);
        summary.Declined.ShouldBe(100, detail);
        summary.Succeeded.ShouldBe(900, detail);
        summary.DeclineCodes[ResultCodes.IssuerPaymentRejected].ShouldBe(100);
        summary.ChargedByCurrency["USD"].ShouldBe(requests.Where((r, i) => i % 10 != 9).Sum(r => r.Amount));
        again.ShouldBeEquivalentTo(summary);
        (await GatewayMitOrdersAsync()).ShouldBe(1000);
    }

    private async Task<string> SeedWalletAsync(MerchantHost merchant, string user, string pan = "4444333322221111")
    {
        var token = await Shared.SaveCardAsync(_gateway, user, pan);
        await merchant.Service<WalletService>().SyncAsync(user, default);
        return token;
    }

    private Task<long> GatewayMitOrdersAsync() => _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1");
}
