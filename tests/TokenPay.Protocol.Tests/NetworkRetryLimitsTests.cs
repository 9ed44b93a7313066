namespace TokenPay.Protocol.Tests;

/// <summary>The networks' retry limits as published (docs/stored-credentials.md, section 4), and how a window fills and frees.</summary>
public class NetworkRetryLimitsTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EachBrand_HasItsOwnNetworksLimits_AndAnUnmodelledBrandKeepsThemAll()
    {
        NetworkRetryLimits.Of(Cards.Brand("4242424242424242")).Select(l => (l.Reattempts, l.Window)).ShouldBe([(20, TimeSpan.FromDays(30))]);
        NetworkRetryLimits.Of(Cards.Brand("5555555555554444")).Select(l => (l.Reattempts, l.Window)).ShouldBe([(10, TimeSpan.FromHours(24)), (35, TimeSpan.FromDays(30))]);
        NetworkRetryLimits.Of(Cards.Brand("378282246310005")).ShouldBeEmpty();
        NetworkRetryLimits.ToKeep("AMEX").ShouldBe(NetworkRetryLimits.All);
        NetworkRetryLimits.ToKeep(null).ShouldBe(NetworkRetryLimits.All);
    }

    [Fact]
    public void AFullWindow_AllowsTheNextReattemptWhenItsOldestCountedOneLeavesIt()
    {
        var limit = NetworkRetryLimits.Mastercard24Hours;
        var ten = Enumerable.Range(0, 10).Select(i => Start.AddMinutes(i)).ToList();
        var now = Start.AddHours(1);

        limit.AllowsAt(ten.Take(9), now).ShouldBe(now, "nine in the window leave room for a tenth");
        limit.AllowsAt(ten, now).ShouldBe(Start.AddHours(24), "the first of the ten leaves the window 24 hours after it");
        limit.AllowsAt(ten, Start.AddHours(24)).ShouldBe(Start.AddHours(24));
        limit.AllowsAt([Start.AddDays(-2), .. ten.Skip(1)], now).ShouldBe(now, "a reattempt older than the window does not count");
    }
}
