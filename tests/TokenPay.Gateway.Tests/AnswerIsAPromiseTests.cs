using System.Net.Sockets;
using System.Text;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// An answer is a promise: what it says is already durable and visible to the next read on any node, and a
/// request that passed the signature gate runs to its end whatever the client's connection does.
/// </summary>
public sealed class AnswerIsAPromiseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Rounds = 60;

    [Fact]
    public async Task OrderRepeat_WhileTheWriterIsBusy_TheRepeatedOrderIsAlreadyVisibleOnEveryNode()
    {
        await using var first = await GatewayHost.StartAsync();
        await using var second = await GatewayHost.StartAsync(clock: first.Clock, shareDatabaseWith: first);
        var user = GatewayFixture.NewId("u");

        // Other orders keep the first node's writer busy, so the original and its repeats share commit batches.
        using var stop = new CancellationTokenSource();
        var background = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await first.Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("bg"), user));
            }
        })).ToList();

        var repeats = 0;
        var notVisible = new List<string>();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var order = GatewayFixture.NewId("rep");
                var body = first.Merchant.Envelope(OrderRequests.Card(order, user));
                var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
                {
                    var answer = await first.Merchant.PostSignedAsync("orderAndPay", body);
                    if (answer.Code != ResultCodes.OrderRepeat)
                    {
                        return (answer.Code, Query: (string?)null);
                    }

                    // At once, and on the other node: the order the repeat names must be there.
                    var query = await (i % 2 == 0 ? second : first).Merchant.QueryAsync(order);
                    return (answer.Code, Query: query.Code);
                })));

                results.Count(r => r.Code == ResultCodes.ApplySuccess).ShouldBe(1);
                repeats += results.Count(r => r.Code == ResultCodes.OrderRepeat);
                notVisible.AddRange(results.Where(r => r.Query is not null && r.Query != ResultCodes.ApplySuccess).Select(r => $"{order}: {r.Query}"));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(background);
        }

        output.WriteLine($"{(GatewayHost.OnPostgres ? "PostgreSQL" : "SQLite")}: {Rounds * 3} identical orderAndPay in {Rounds} races, {repeats} ORDER_REPEAT, {notVisible.Count} followed by ORDER_NOT_EXIST");
        repeats.ShouldBe(Rounds * 2);
        notVisible.ShouldBeEmpty();
    }

    [Fact]
    public async Task IdenticalRefundsAtOnce_WhileTheWriterIsBusy_EachIsAnsweredWithTheRefundAQueryFinds()
    {
        await using var host = await GatewayHost.StartAsync();
        var user = GatewayFixture.NewId("u");
        var paid = GatewayFixture.NewId("paid");
        (await host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(paid, user, amount: 1000m))).DataString("status").ShouldBe(OrderStatuses.Success);

        using var stop = new CancellationTokenSource();
        var background = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("bg"), user));
            }
        })).ToList();

        var wrong = new List<string>();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var refund = GatewayFixture.NewId("rf");
                var body = host.Merchant.Envelope(new System.Text.Json.Nodes.JsonObject
                {
                    ["outRefundNo"] = refund, ["refundAmount"] = 1.00m, ["refundCurrency"] = "USD", ["outTradeNo"] = paid,
                });

                // An identical refund sent again is answered with the refund it repeats, which a query finds at once.
                var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
                {
                    var answer = await host.Merchant.PostSignedAsync("refund", body);
                    var query = await host.Merchant.PostAsync("refundQuery", new System.Text.Json.Nodes.JsonObject { ["outRefundNo"] = refund });
                    return (Answer: answer.Code, Query: query.Code);
                })));

                wrong.AddRange(results.Where(r => r is not { Answer: ResultCodes.ApplySuccess, Query: ResultCodes.ApplySuccess }).Select(r => $"{refund}: {r}"));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(background);
        }

        wrong.ShouldBeEmpty();
        (await host.ScalarAsync("SELECT COUNT(*) FROM refunds")).ShouldBe(Rounds);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task ClientHangsUpOnceTheOrderIsStored_TheOrderIsStillDecided(bool reset, bool afterTheDecision)
    {
        // The client goes while the acquirer decides, or once it has decided and the gateway is about to record it.
        var decide = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var step = afterTheDecision ? new AcquirerStep(HoldAfterDecision: decide.Task) : new AcquirerStep(Hold: decide.Task);
        await using var host = await GatewayHost.StartAsync(services: WrappedAcquirer.Install(_ => step));
        var order = GatewayFixture.NewId("hang");
        var body = host.Merchant.Envelope(OrderRequests.Bind(order, GatewayFixture.NewId("u")));

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
            var stream = client.GetStream();
            var head = $"POST /aggregate-pay/api/gateway/orderAndPay HTTP/1.1\r\nHost: {host.BaseAddress.Authority}\r\nContent-Type: application/json\r\n" +
                       $"sign: {host.Merchant.Sign(body)}\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body);
            await stream.FlushAsync();

            // The acquirer is deciding when the client goes: a process killed (reset) or one that gave up (close).
            await Eventually.UntilAsync(() => host.ScalarAsync($"SELECT COUNT(*) FROM orders WHERE out_trade_no = '{order}'"), n => n == 1, "the order's insert");
            if (reset)
            {
                client.Client.LingerState = new LingerOption(true, 0);
            }
        }

        // Kestrel sees the connection gone before the acquirer answers.
        await Task.Delay(200);
        decide.SetResult();
        var query = await Eventually.UntilAsync(() => host.Merchant.QueryAsync(order), q => q.Code == ResultCodes.ApplySuccess && q.DataString("status") != OrderStatuses.Pending,
            "the order to be decided without its client");
        query.DataString("status").ShouldBe(OrderStatuses.Success);
    }
}
