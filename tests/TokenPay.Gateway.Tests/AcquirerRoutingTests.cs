using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenPay.Acquiring;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// <c>Gateway:Acquirers</c>: a second connector is a class registered under a name, and configuration routes
/// a merchant's payments, refunds and recovery to it; the core is not touched.
/// </summary>
public sealed class AcquirerRoutingTests
{
    [Fact]
    public async Task AMerchantRoutedToAnotherAcquirer_PaysAndRefundsThere_WhileTheOtherMerchantStaysOnTheSimulator()
    {
        var second = new SecondAcquirer();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { [$"Gateway:Acquirers:Merchants:{TestKeys.OtherMerchantNo}"] = SecondAcquirer.Name },
            services: s => s.AddKeyedSingleton<IAcquirer>(SecondAcquirer.Name, second));

        var routed = await host.OtherMerchant.PostAsync("orderAndPay", OrderRequests.Card("routed_1", "ann"));
        var simulated = await host.Merchant.PostAsync("orderAndPay", OrderRequests.Card("simulated_1", "ann"));
        var refund = await host.OtherMerchant.PostAsync("refund", new JsonObject
        {
            ["outRefundNo"] = "routed_rf_1", ["refundAmount"] = 10m, ["refundCurrency"] = "USD", ["outTradeNo"] = "routed_1", ["comments"] = "Returned",
        });

        (routed.DataString("status"), simulated.DataString("status"), refund.DataString("status")).ShouldBe((OrderStatuses.Success, OrderStatuses.Success, RefundStatuses.Pending));
        (await host.OtherMerchant.QueryAsync("routed_1")).DataString("channelNo").ShouldBe("SECOND-1");
        second.Authorized.Keys.ShouldBe([routed.DataString("tradeToken")]);
        second.Refunds.Count.ShouldBe(1);
        (await host.TextColumnAsync("SELECT acquirer FROM orders ORDER BY id")).ShouldBe([SecondAcquirer.Name, "Simulator"]);
        (await host.ScalarAsync($"SELECT COUNT(*) FROM acquirer_simulator_decisions WHERE trade_token = '{routed.DataString("tradeToken")}'")).ShouldBe(0);
    }

    [Theory]
    [InlineData("Gateway:Acquirers:Default")]
    [InlineData($"Gateway:Acquirers:Merchants:{TestKeys.MerchantNo}")]
    public async Task RoutingToAnAcquirerNobodyRegistered_StopsTheGatewayAtStart_NamingTheKey(string key)
    {
        var refused = await Should.ThrowAsync<OptionsValidationException>(() => GatewayHost.StartAsync(new Dictionary<string, string?> { [key] = "Nowhere" }));

        refused.Message.ShouldBe($"{key} names the acquirer 'Nowhere', which is not registered (the built-in one is 'Simulator').");
    }

    /// <summary>Another acquirer at the edge: approves everything and remembers what it was asked.</summary>
    private sealed class SecondAcquirer : IAcquirer
    {
        public const string Name = "Second";

        public ConcurrentDictionary<string, AuthorizationOutcome> Authorized { get; } = new();

        public ConcurrentDictionary<string, RefundOutcome> Refunds { get; } = new();

        public ValueTask<AuthorizationOutcome> AuthorizeAsync(AuthorizationRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Authorized.GetOrAdd(request.TradeToken, _ => AuthorizationOutcome.Approved($"SECOND-{Authorized.Count + 1}")));

        public ValueTask<AuthorizationOutcome?> InquireAsync(string tradeToken, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Authorized.TryGetValue(tradeToken, out var outcome) ? outcome : null);

        public ValueTask<RefundOutcome> RefundAsync(AcquirerRefundRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Refunds.GetOrAdd(request.RefundTradeNo, _ => new RefundOutcome(RefundDecision.Pending)));

        public ValueTask<RefundOutcome?> InquireRefundAsync(string refundTradeNo, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Refunds.TryGetValue(refundTradeNo, out var outcome) ? outcome : null);

        public ValueTask<IReadOnlyList<CardUpdate>> FindCardUpdatesAsync(IReadOnlyList<CardOnFile> cards, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<CardUpdate>>([]);
    }
}
