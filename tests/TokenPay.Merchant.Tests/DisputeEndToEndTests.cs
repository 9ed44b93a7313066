using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Hosting;
using TokenPay.Merchant.Disputes;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// A dispute from the card to the ruling with nothing standing in: the merchant service and a real gateway in
/// sandbox mode on one sandbox clock, the simulator raising the case from its test card (docs/disputes.md).
/// </summary>
public sealed class DisputeEndToEndTests : IAsyncLifetime
{
    // The 7010 test card of the 400000 family: disputed as FRAUD 20 days after each approved payment, won if answered.
    private static readonly string FraudCard = Enumerable.Range(0, 10).Select(d => $"40000000000{d}7010").First(p => Cards.IsValidPan(p));

    private GatewayHost _gateway = null!;
    private MerchantHost _merchant = null!;

    public async Task InitializeAsync()
    {
        // The gateway sends CHARGEBACK notifications to the app's configured URL, so it must know the merchant's port first.
        var port = FreePorts.Next();
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Sandbox:Enabled"] = "true",
            ["Gateway:Merchants:0:DisputeNotifyUrl"] = $"http://127.0.0.1:{port}/payermax/notify",
        });
        var clock = _gateway.App.Services.GetRequiredService<SandboxClock>();
        _merchant = await MerchantHost.StartAsync(_gateway, configure: s => s.AddSingleton<TimeProvider>(clock), port: port);
        clock.Attach(_merchant.App.Services.GetServices<IScheduledWork>());
    }

    public async Task DisposeAsync()
    {
        await _merchant.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task AFraudCaseOnAnMit_StopsTheCard_IsAnsweredFromTheApi_AndIsWon()
    {
        var card = new CardInfo { CardIdentifierNo = FraudCard, CardHolderFullName = "Fay Fraud", CardExpirationMonth = "07", CardExpirationYear = "31", Cvv = "123" };
        var buyer = new BuyerInfo { ClientIp = "127.0.0.1", UserAgent = "dispute test" };
        (await _merchant.Service<CheckoutService>().PayWithCardAsync(_merchant.BaseUrl, "fay", 12.00m, "USD", "Socks", card, buyer, saveCard: true, default)).Status.ShouldBe(OrderStatuses.Success);
        var mit = await ChargeAsync("c-mit");
        mit.Status.ShouldBe(PaymentStatuses.Success);

        await MoveAsync("21.00:00:00");
        var raised = await Eventually.UntilAsync(() => CaseOfAsync(mit.OutTradeNo), c => c is not null, "the CHARGEBACK notification of the MIT's case", TimeSpan.FromSeconds(30));
        (raised!.Case.Status, raised.Case.ReasonCategory, raised.Case.CanAnswer).ShouldBe(("DISPUTE_INQUIRY", "FRAUD", true));
        var caseId = raised.Case.CaseId;
        var wallet = (await _merchant.Service<WalletService>().ListAsync("fay", default)).ShouldHaveSingleItem();
        wallet.FraudCaseId.ShouldNotBeNull("the card needs the customer");
        var mitsBefore = await GatewayMitOrdersAsync();
        (await ChargeAsync("c-after")).ResultCode.ShouldBe(NotSentCodes.CardDisputedAsFraud);
        (await GatewayMitOrdersAsync()).ShouldBe(mitsBefore, "the refused charge was not sent");

        var answer = new { responseContent = "The customer agreed to be charged monthly.", representmentFile = new[] { "https://shop.example/evidence/agreement.pdf" } };
        using (var reply = await _merchant.Api.PostAsJsonAsync($"/api/disputes/{caseId}/reply", answer))
        {
            reply.StatusCode.ShouldBe(HttpStatusCode.OK, await reply.Content.ReadAsStringAsync());
        }

        (await GatewayCaseAsync(caseId)).DataString("status").ShouldBe(DisputeStatuses.Received);

        await MoveAsync("10.00:00:00");
        var ruled = await Eventually.UntilAsync(
            () => _merchant.Api.GetFromJsonAsync<JsonElement>($"/api/disputes/{caseId}"), d => d.GetProperty("case").GetProperty("status").GetString() == DisputeStatuses.End, "the ruling's CHARGEBACK notification", TimeSpan.FromSeconds(30));
        ruled.GetProperty("case").GetProperty("caseResult").GetString().ShouldBe(CaseResults.Win);
        var gatewayCase = await GatewayCaseAsync(caseId);
        (gatewayCase.DataString("status"), gatewayCase.DataString("caseResult")).ShouldBe((DisputeStatuses.End, CaseResults.Win));
    }

    private async Task<DisputeDetails?> CaseOfAsync(string outTradeNo)
    {
        var disputes = _merchant.Service<DisputeService>();
        var found = (await disputes.ListAsync(new DisputeFilter(Open: true), 50, default)).FirstOrDefault(c => c.OutTradeNo == outTradeNo);
        return found is null ? null : await disputes.DetailsAsync(found.CaseId, default);
    }

    private Task<GatewayAnswer> GatewayCaseAsync(string caseId) => _gateway.Merchant.PostAsync("caseSearch", new JsonObject { ["caseId"] = caseId });

    private async Task MoveAsync(string advance)
    {
        using var answer = await _gateway.Http.PostAsJsonAsync("/sandbox/clock", new { advance });
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
    }

    private Task<ChargeResult> ChargeAsync(string chargeId) =>
        _merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest("fay", 5m, "USD", "Monthly box", chargeId), default);

    private Task<long> GatewayMitOrdersAsync() => _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1");
}
