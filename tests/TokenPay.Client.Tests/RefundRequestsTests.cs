using TokenPay.Protocol.Models;

namespace TokenPay.Client.Tests;

/// <summary>"Refund the rest" asks only for what the gateway would let go (docs/disputes.md, Money).</summary>
public sealed class RefundRequestsTests
{
    private static readonly OrderView Order = new()
    {
        OutTradeNo = "shop_1", TradeToken = "T1", Status = "SUCCESS", TotalAmount = 100m, Currency = "USD", Country = "US", CashierCountry = "US",
    };

    [Fact]
    public void Full_LeavesOutRefundedDisputedAndChargedBackAmounts()
    {
        var order = Order with { RefundedAmount = 10m, DisputedAmount = 25.5m, ChargedBackAmount = 4.25m };

        var request = RefundRequests.Full("rf_1", order);

        (request.OutTradeNo, request.RefundAmount, request.RefundCurrency).ShouldBe(("shop_1", 60.25m, "USD"));
    }

    [Fact]
    public void Full_WithoutRefundsOrCases_IsTheWholeOrder()
    {
        RefundRequests.Full("rf_2", Order).RefundAmount.ShouldBe(100m);
    }
}
