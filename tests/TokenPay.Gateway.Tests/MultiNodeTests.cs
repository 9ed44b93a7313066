using System.Net;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// Three gateway nodes on one database (PostgreSQL in the PostgreSQL run): every guarantee of one node holds
/// across them. Each node is a separate host with its own connections, writer, sweeper and dispatcher.
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private readonly List<GatewayHost> _nodes = [];
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        // One sweep tick, at the end of the test's clock advance: a tick on the way would start deliveries whose
        // 10-second timeout the rest of the walk would run out.
        var settings = new Dictionary<string, string?> { ["Gateway:Orders:ExpirySweepInterval"] = "00:31:00" };
        var first = await GatewayHost.StartAsync(settings);
        _nodes.Add(first);
        for (var i = 1; i < 3; i++)
        {
            _nodes.Add(await GatewayHost.StartAsync(settings, first.Clock, shareDatabaseWith: first));
        }
    }

    public async Task DisposeAsync()
    {
        // The first node owns the database files; it goes last.
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }

        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task FiftyIdenticalOrdersSpreadOverNodes_OneOrder()
    {
        var order = GatewayFixture.NewId("mn");
        var body = _nodes[0].Merchant.Envelope(OrderRequests.Bind(order, GatewayFixture.NewId("u")));

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => _nodes[i % 3].Merchant.PostSignedAsync("orderAndPay", body))));

        answers.Count(a => a.Code == ResultCodes.ApplySuccess).ShouldBe(1);
        answers.Count(a => a.Code == ResultCodes.OrderRepeat).ShouldBe(49);
        (await _nodes[1].ScalarAsync($"SELECT COUNT(*) FROM orders WHERE out_trade_no = '{order}'")).ShouldBe(1);
    }

    [Fact]
    public async Task CardSavedOnOneNode_ChargedAndListedOnOthers()
    {
        var user = GatewayFixture.NewId("mn");
        var bind = GatewayFixture.NewId("mn");
        (await _nodes[0].Merchant.PostAsync("orderAndPay", OrderRequests.Bind(bind, user))).DataString("status").ShouldBe(OrderStatuses.Success);
        var token = (await _nodes[1].Merchant.QueryAsync(bind)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;

        // Vault and fingerprint keys are shared through the database: another node reveals the card.
        (await _nodes[2].Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("mn"), user, token))).DataString("status").ShouldBe(OrderStatuses.Success);
        (await _nodes[1].Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(1);
        // The same card saved again through a third node is the same token (fingerprints match across nodes).
        (await _nodes[2].Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("mn"), user))).DataString("status").ShouldBe(OrderStatuses.Success);
        (await _nodes[0].Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task ChallengePostedToTwoNodesAtOnce_UsedOnce()
    {
        var order = OrderRequests.Card(GatewayFixture.NewId("mn"), "u1", "4000000000003220");
        order["frontCallbackUrl"] = "https://shop.example/return";
        var link = new Uri((await _nodes[0].Merchant.PostAsync("orderAndPay", order)).DataString("redirectUrl")).PathAndQuery;

        var posts = await Task.WhenAll(_nodes.Skip(1).Concat(_nodes.Skip(1)).Select(node => node.Http.PostAsync(link, new FormUrlEncodedContent([new("outcome", "pass")]))));

        posts.Count(p => p.StatusCode == HttpStatusCode.Redirect).ShouldBe(1);
        posts.Count(p => p.StatusCode == HttpStatusCode.Gone).ShouldBe(3);
        (await _nodes[0].Merchant.QueryAsync(order["outTradeNo"]!.GetValue<string>())).DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task NotificationsWrittenOnEveryNode_EachDeliveredOnce_AndExpiryClosesOnce()
    {
        var paid = new List<string>();
        var pending = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var node = _nodes[i % 3];
            var order = OrderRequests.Card(GatewayFixture.NewId("mn"), "u1", subject: i % 2 == 0 ? "Paid" : "PENDING");
            order["notifyUrl"] = _receiver.Url;
            (await node.Merchant.PostAsync("orderAndPay", order)).Code.ShouldBe(ResultCodes.ApplySuccess);
            (i % 2 == 0 ? paid : pending).Add(order["outTradeNo"]!.GetValue<string>());
        }

        await _receiver.WaitForAsync(paid.Count);
        // Recorded too, before the clock jumps: a delivery still in flight would outlive its lease in the jump and be
        // taken over by another node (the documented at-least-once case, not what this test is about).
        await Eventually.UntilAsync(() => _nodes[0].ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), n => n == paid.Count, "the paid notifications recorded");

        // Past the pending orders' expiry, every node's sweeper runs; each order is closed and notified once.
        _nodes[0].Clock.Advance(TimeSpan.FromMinutes(31));
        await _receiver.WaitForAsync(paid.Count + pending.Count);
        await Task.Delay(300);

        var delivered = _receiver.Received.Select(r => r.Json.GetProperty("data").GetProperty("outTradeNo").GetString()!).ToList();
        delivered.Count.ShouldBe(paid.Count + pending.Count, "no notification is sent twice");
        delivered.ShouldBe(paid.Concat(pending), ignoreOrder: true);
        (await _nodes[0].ScalarAsync("SELECT COUNT(*) FROM notifications")).ShouldBe(paid.Count + pending.Count);
        (await _nodes[1].ScalarAsync("SELECT COUNT(*) FROM orders WHERE status = 'CLOSED'")).ShouldBe(pending.Count);
    }
}
