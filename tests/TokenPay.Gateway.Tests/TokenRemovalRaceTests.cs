using System.Diagnostics;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>Once removePaymentToken has answered success, no MIT on that token is created or authorized.</summary>
public sealed class TokenRemovalRaceTests
{
    [Fact]
    public async Task RemovalAgainstParallelMitLoops_NothingAuthorizedAfterTheRemovalAnswered()
    {
        WrappedAcquirer acquirer = null!;
        // A little network latency per authorization widens the window between the token check and the acquirer.
        await using var host = await GatewayHost.StartAsync(services: WrappedAcquirer.Install(
            _ => new AcquirerStep(Latency: TimeSpan.FromMilliseconds(Random.Shared.Next(0, 4))), a => acquirer = a));
        const int Rounds = 20, Loops = 4;
        var lateAuthorizations = 0;
        var lateOrders = 0;
        var chargesBeforeRemoval = 0;

        for (var round = 0; round < Rounds; round++)
        {
            var user = $"race_{round}";
            var bind = GatewayFixture.NewId("bind");
            (await host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(bind, user))).DataString("status").ShouldBe(OrderStatuses.Success);
            var token = (await host.Merchant.QueryAsync(bind)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;

            long removalAnsweredAt = long.MaxValue;
            var sentAfterRemoval = 0;
            var loops = Enumerable.Range(0, Loops).Select(async _ =>
            {
                while (true)
                {
                    var sentAt = Stopwatch.GetTimestamp();
                    var answer = await host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("mit"), user, token, amount: 1m));
                    if (answer.Code == ResultCodes.TokenInvalid)
                    {
                        return;
                    }

                    answer.DataString("status").ShouldBe(OrderStatuses.Success, answer.ToString());
                    if (sentAt > Interlocked.Read(ref removalAnsweredAt))
                    {
                        Interlocked.Increment(ref sentAfterRemoval);
                    }
                }
            }).ToList();

            await Task.Delay(Random.Shared.Next(2, 15));
            (await host.Merchant.RemoveTokenAsync(user, token)).Code.ShouldBe(ResultCodes.ApplySuccess);
            Interlocked.Exchange(ref removalAnsweredAt, Stopwatch.GetTimestamp());
            await Task.WhenAll(loops);

            var tradeTokens = await host.TextColumnAsync($"SELECT trade_token FROM orders WHERE user_id = '{user}' AND merchant_initiated = 1 AND status = 'SUCCESS'");
            chargesBeforeRemoval += tradeTokens.Count;
            lateAuthorizations += tradeTokens.Count(t => acquirer.AuthorizedAt[t] > removalAnsweredAt);
            lateOrders += sentAfterRemoval;
        }

        lateAuthorizations.ShouldBe(0, "MIT authorized after the removal answered");
        lateOrders.ShouldBe(0, "MIT sent after the removal answered and charged");
        chargesBeforeRemoval.ShouldBeGreaterThan(Rounds, "the loops charged before each removal, so the race was run");
    }
}
