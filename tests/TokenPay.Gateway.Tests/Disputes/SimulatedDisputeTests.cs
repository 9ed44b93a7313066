using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Tests.Disputes;

/// <summary>The built-in simulator's disputes end to end: raised and ruled by the sandbox's triggers, recorded by the gateway, answered by the merchant.</summary>
public sealed class SimulatedDisputeTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Sandbox:Enabled"] = "true" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ATriggeredCase_IsTheGatewaysCase_AnsweredThenWonByItsGatewayCaseId()
    {
        var order = GatewayFixture.NewId("sim");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u_sim"))).DataString("status").ShouldBe(OrderStatuses.Success);

        var created = await TriggerAsync($$"""{"event":"dispute.created","outTradeNo":"{{order}}","reason":"fraud","merchantNo":"{{TestKeys.MerchantNo}}"}""");
        var caseId = created.GetProperty("caseId").GetString()!;
        caseId.ShouldStartWith("D");
        var raised = await _host.Merchant.PostAsync("caseSearch", new JsonObject { ["caseId"] = caseId });
        (raised.DataString("status"), raised.DataString("amount"), raised.DataString("reasonCategory")).ShouldBe((DisputeStatuses.Inquiry, "10.00", DisputeReasons.Fraud));
        (await _host.Merchant.QueryAsync(order)).Data.GetProperty("disputedAmount").GetDecimal().ShouldBe(10.00m);

        var answer = await _host.Merchant.PostAsync("caseReplay", new JsonObject
        {
            ["caseId"] = caseId, ["outUserId"] = "u_sim", ["responseContent"] = "The cardholder signed for it.", ["representmentFile"] = new JsonArray("https://shop.example/pod.pdf"),
        });
        answer.Code.ShouldBe(ResultCodes.ApplySuccess);
        await TriggerAsync($$"""{"event":"dispute.won","caseId":"{{caseId}}"}""");

        var won = await _host.Merchant.PostAsync("caseSearch", new JsonObject { ["caseId"] = caseId });
        (won.DataString("status"), won.DataString("caseResult")).ShouldBe((DisputeStatuses.End, CaseResults.Win));
        (await _host.Merchant.QueryAsync(order)).Data.TryGetProperty("disputedAmount", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task TheConsolesOrderPage_ShowsACasesTimeline_AndWhatItTookFromTheOrder()
    {
        var order = GatewayFixture.NewId("cons");
        var paid = await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u_console_dispute"));
        var created = await TriggerAsync($$"""{"event":"dispute.created","outTradeNo":"{{order}}","reason":"not-received","merchantNo":"{{TestKeys.MerchantNo}}"}""");
        var caseId = created.GetProperty("caseId").GetString()!;
        await TriggerAsync($$"""{"event":"dispute.lost","caseId":"{{caseId}}"}""");

        var page = await _host.Http.GetStringAsync($"/admin/console/orders/{paid.DataString("tradeToken")}");

        page.ShouldContain($"Dispute <span class=\"id\">{caseId}</span> raised (NOT_RECEIVED 13.1): 10.00 USD frozen, answer by ");
        page.ShouldContain($"Dispute <span class=\"id\">{caseId}</span> ruled FAIL: 10.00 USD charged back, fee 0.15 USD");
        page.ShouldContain("10.00 USD (10.00 USD charged back)");
        page.ShouldContain("<table id=\"disputes\">");
    }

    private async Task<JsonElement> TriggerAsync(string body)
    {
        using var answer = await _host.Http.PostAsync("/sandbox/triggers", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var json = await answer.Content.ReadFromJsonAsync<JsonElement>();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToString());
        return json;
    }
}
