using System.Net;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>expireTime clamping and the background sweep that closes expired PENDING orders, on a fake clock.</summary>
public sealed class ExpiryTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PendingOrder_ClosedBySweepAfterDefault30Minutes()
    {
        var order = GatewayFixture.NewId("pend");
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u1", subject: "PENDING"))).DataString("status").ShouldBe(OrderStatuses.Pending);

        _host.Clock.Advance(TimeSpan.FromMinutes(29));
        await SweepSettledAsync();
        (await _host.Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Pending);

        _host.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(10));
        var closed = await Eventually.UntilAsync(() => _host.Merchant.QueryAsync(order), a => a.DataString("status") != OrderStatuses.Pending, "the sweep");

        closed.DataString("status").ShouldBe(OrderStatuses.Closed);
        closed.DataString("completeTime").ShouldNotBeNull();
    }

    [Theory]
    [InlineData(60, 1800)]
    [InlineData(3600, 3600)]
    [InlineData(999999, 86400)]
    public async Task ExpireTime_ClampedTo1800To86400Seconds(long requested, long effective)
    {
        var order = GatewayFixture.NewId("exp");
        var data = OrderRequests.Card(order, "u1", subject: "PENDING");
        data["expireTime"] = requested.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await _host.Merchant.PostAsync("orderAndPay", data);

        var expiresAt = await _host.ScalarAsync($"SELECT expires_at - created_at FROM orders WHERE out_trade_no = '{order}'");

        expiresAt.ShouldBe(effective * 1000);
    }

    [Fact]
    public async Task ChallengeLink_DiesWithItsOrder()
    {
        var order = GatewayFixture.NewId("3ds");
        var link = (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, "u1", "4000000000003220"))).DataString("redirectUrl");

        _host.Clock.Advance(TimeSpan.FromMinutes(31));
        using var view = await _host.Http.GetAsync(link);
        using var submit = await _host.Http.PostAsync(link, new FormUrlEncodedContent([new("outcome", "pass")]));

        view.StatusCode.ShouldBe(HttpStatusCode.Gone);
        submit.StatusCode.ShouldBe(HttpStatusCode.Gone);
        var final = await Eventually.UntilAsync(() => _host.Merchant.QueryAsync(order), a => a.DataString("status") != OrderStatuses.Pending, "the sweep");
        final.DataString("status").ShouldBe(OrderStatuses.Closed);
    }

    // The sweep runs on the host's own thread after a tick; run one directly so "not yet" is really "not yet".
    private Task<TokenPay.Gateway.Orders.SweepResult> SweepSettledAsync() =>
        ((TokenPay.Gateway.Orders.PendingOrderSweeper)_host.App.Services.GetService(typeof(TokenPay.Gateway.Orders.PendingOrderSweeper))!).SweepAsync(CancellationToken.None);
}
