using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// The sandbox's disputes on demand (docs/sandbox.md, <c>POST /sandbox/triggers</c>): the simulated network
/// raises a case on a paid order now, or rules or withdraws one; bad input names its field.
/// </summary>
public sealed class SandboxDisputeTriggerTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Sandbox:Enabled"] = "true" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("not json", "The body must be a JSON object")]
    [InlineData("""{"outTradeNo":"o1"}""", "event is required")]
    [InlineData("""{"event":"dispute.opened","caseId":"c1"}""", "event must be one of dispute.created, dispute.won, dispute.lost, dispute.cancelled.")]
    [InlineData("""{"event":"dispute.created","reason":"fraud"}""", "outTradeNo is required for dispute.created")]
    [InlineData("""{"event":"dispute.created","outTradeNo":"o1"}""", "reason is required for dispute.created: one of fraud, not_received")]
    [InlineData("""{"event":"dispute.created","outTradeNo":"o1","reason":"chargeback"}""", "reason must be one of fraud, not_received")]
    [InlineData("""{"event":"dispute.won"}""", "caseId is required for dispute.won")]
    public async Task BadInput_IsRefusedNamingTheField(string body, string error)
    {
        var answer = await PostAsync(body);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Error.ShouldStartWith(error);
    }

    [Fact]
    public async Task AnUnknownOrderOrCase_Is404_AndAnUnpaidOrder409()
    {
        var pending = GatewayFixture.NewId("pend");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(pending, "u_dsp", subject: "PENDING"))).DataString("status").ShouldBe(OrderStatuses.Pending);

        var unknownOrder = await PostAsync($$"""{"event":"dispute.created","outTradeNo":"nope","reason":"fraud","merchantNo":"{{TestKeys.MerchantNo}}"}""");
        var unknownCase = await PostAsync("""{"event":"dispute.lost","caseId":"SIMD0000"}""");
        var unpaid = await PostAsync($$"""{"event":"dispute.created","outTradeNo":"{{pending}}","reason":"fraud","merchantNo":"{{TestKeys.MerchantNo}}"}""");
        var noMerchant = await PostAsync("""{"event":"dispute.created","outTradeNo":"nope","reason":"fraud"}""");

        (unknownOrder.Status, unknownOrder.Error).ShouldBe((HttpStatusCode.NotFound, $"No order nope for merchant {TestKeys.MerchantNo}."));
        (unknownCase.Status, unknownCase.Error).ShouldBe((HttpStatusCode.NotFound, "The simulator raised no case SIMD0000."));
        (unpaid.Status, unpaid.Error).ShouldBe((HttpStatusCode.Conflict, $"Order {pending} is PENDING: only a paid order can be disputed."));
        (noMerchant.Status, noMerchant.Error).ShouldBe((HttpStatusCode.BadRequest, "merchantNo is required: this gateway serves several merchants."));
    }

    [Fact]
    public async Task APaidOrder_IsDisputedNow_ThenTheCaseIsRuledOnce_AndTheEventLogSaysSo()
    {
        var order = GatewayFixture.NewId("dsp");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u_dsp", amount: 12.34m))).DataString("status").ShouldBe(OrderStatuses.Success);

        var created = await PostAsync($$"""{"event":"dispute.created","outTradeNo":"{{order}}","reason":"not-received","merchantNo":"{{TestKeys.MerchantNo}}"}""");
        created.Status.ShouldBe(HttpStatusCode.OK, created.Body.ToString());
        var caseId = created.Body.GetProperty("acquirerCaseId").GetString()!;
        var lost = await PostAsync($$"""{"event":"dispute.lost","caseId":"{{caseId}}"}""");
        var again = await PostAsync($$"""{"event":"dispute.won","caseId":"{{caseId}}"}""");

        (created.Body.GetProperty("stage").GetString(), created.Body.GetProperty("reasonCategory").GetString(), created.Body.GetProperty("amount").GetDecimal(), created.Body.GetProperty("fee").GetDecimal())
            .ShouldBe(("Raised", "NOT_RECEIVED", 12.34m, 0.19m));
        (lost.Status, lost.Body.GetProperty("stage").GetString(), lost.Body.GetProperty("merchantWon").GetBoolean()).ShouldBe((HttpStatusCode.OK, "Ruled", false));
        (again.Status, again.Error).ShouldBe((HttpStatusCode.Conflict, $"Case {caseId} is ruled already (FAIL): only an open case can change."));
        var log = await _host.Http.GetFromJsonAsync<JsonElement>("/admin/log");
        log.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "dispute.triggered").Select(e => e.GetProperty("message").GetString())
            .ShouldBe([$"Sandbox dispute.created: Raised NOT_RECEIVED case {caseId} for 12.34 USD.", $"Sandbox dispute.lost: Case {caseId} lost by the merchant."]);
    }

    private async Task<(HttpStatusCode Status, string? Error, JsonElement Body)> PostAsync(string body)
    {
        using var answer = await _host.Http.PostAsync("/sandbox/triggers", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var json = await answer.Content.ReadFromJsonAsync<JsonElement>();
        return (answer.StatusCode, json.TryGetProperty("error", out var error) ? error.GetString() : null, json);
    }
}
