using System.Net.Http.Json;
using System.Text.Json;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// Smart retries of declined charges on the network's advice (docs/stored-credentials.md), against the
/// gateway's simulator, on a fake clock.
/// </summary>
public sealed class SmartRetryTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> DrivenByTheTest = new() { ["Merchant:SmartRetries:PollInterval"] = "40.00:00:00" };

    private GatewayHost _gateway = null!;
    private MerchantHost _merchant = null!;

    public async Task InitializeAsync()
    {
        // The clock jumps days: the gateway's sweep runs hourly, not every 10 s of the jump.
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Orders:ExpirySweepInterval"] = "01:00:00", ["Gateway:Orders:RecoverAfter"] = "02:00:00" });
        _merchant = await MerchantHost.StartAsync(_gateway, DrivenByTheTest);
    }

    public async Task DisposeAsync()
    {
        await _merchant.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Mac25_IsRetriedADayLater_ThePaymentSucceeds_AndTheChargeIsPaidOnce()
    {
        await SeedAsync("ann", "4000000000000259");
        var declinedAt = _gateway.Clock.GetUtcNow();

        var first = await ChargeAsync("ann", "c-mac25");

        (first.Status, first.NextRetryAt).ShouldBe((OrderStatuses.Failed, declinedAt.AddHours(24)));
        first.RetryNote.ShouldNotBeNull().ShouldContain("MAC 25");
        _gateway.Clock.Advance(TimeSpan.FromHours(23));
        (await RetryDueAsync()).Sent.ShouldBe(0, "not before the advised time");
        _gateway.Clock.Advance(TimeSpan.FromHours(1));
        (await RetryDueAsync()).ShouldBe(new RetrySummary(1, 1, 0));
        (await RetryDueAsync()).Sent.ShouldBe(0);

        var replay = await ChargeAsync("ann", "c-mac25");
        (replay.Status, replay.Attempt, replay.Replayed).ShouldBe((OrderStatuses.Success, 2, true));
        var history = await _merchant.Service<ChargeService>().HistoryAsync("c-mac25", default);
        history!.Attempts.Select(a => (a.Attempt, a.Status, a.MerchantAdviceCode)).ShouldBe([(1, OrderStatuses.Failed, "25"), (2, OrderStatuses.Success, null)]);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1 AND status = 'SUCCESS'")).ShouldBe(1);
    }

    [Theory]
    [InlineData("4000000000000036", "never to retry")]
    [InlineData("4000000000000218", "never to retry")]
    [InlineData("4000000000000101", "never to retry")]
    [InlineData("4000000000000135", "revalidate")]
    public async Task DoNotRetryOrRevalidate_IsNeverRetried_AndTheWalletSaysTheCustomerMustAct(string pan, string why)
    {
        var token = await SeedAsync("bob", pan);

        var declined = await ChargeAsync("bob", "c-stop");
        _gateway.Clock.Advance(TimeSpan.FromDays(20));

        (declined.Status, declined.NextRetryAt).ShouldBe((OrderStatuses.Failed, null));
        declined.RetryNote.ShouldNotBeNull().ShouldContain(why);
        (await RetryDueAsync()).Sent.ShouldBe(0);
        (await _merchant.Service<WalletService>().FindAsync(token, default))!.Attention.ShouldBe(declined.RetryNote);
    }

    [Fact]
    public async Task WithoutATimeInTheAdvice_TheDefaultScheduleIsFollowed_FromTheFirstDecline()
    {
        // Insufficient funds until two days after the first decline: day 1 declined, day 3 paid.
        await SeedAsync("cat", "4000000000000994");
        var start = _gateway.Clock.GetUtcNow();

        (await ChargeAsync("cat", "c-funds")).NextRetryAt.ShouldBe(start.AddDays(1));
        _gateway.Clock.Advance(TimeSpan.FromDays(1));
        (await RetryDueAsync()).ShouldBe(new RetrySummary(1, 0, 1));
        (await _merchant.Service<ChargeService>().HistoryAsync("c-funds", default))!.NextRetryAt.ShouldBe(start.AddDays(3));
        _gateway.Clock.Advance(TimeSpan.FromDays(2));
        (await RetryDueAsync()).ShouldBe(new RetrySummary(1, 1, 0));
    }

    /// <summary>
    /// Eleven charges on one card, declined every time without advice (subject FAILED), would take 33 scheduled
    /// retries over days 1, 3 and 5. The network counts every MIT on the card after a decline as a reattempt (the
    /// charges' own first payments 2-11 included: 10 on day 0) and allows Visa 20 in 30 days, Mastercard 10 in 24
    /// hours and 35 in 30 days. Visa's card gets 10 retries on day 1 and 10 on day 30, and one charge stops;
    /// Mastercard's 10 and 1 (days 1-2), 10 and 1 (days 3-4), 3 on day 5 (35 in 30 days) and the last 8 on day 30.
    /// The limits are the networks' published numbers, written out here.
    /// </summary>
    [Theory]
    [InlineData("4242424242424242", 20, 1)]
    [InlineData("5555555555554444", 33, 0)]
    public async Task ManyChargesDeclinedOnOneCard_AreRetriedOnlyAsOftenAsItsNetworkAllows(string pan, int retriesAllowed, int stoppedByTheLimit)
    {
        await SeedAsync("dan", pan);
        var start = _gateway.Clock.GetUtcNow();
        for (var i = 0; i < 11; i++)
        {
            (await ChargeAsync("dan", $"c-limit-{i}", "FAILED")).Status.ShouldBe(OrderStatuses.Failed);
        }

        var sentAt = new List<DateTimeOffset>();
        for (var hour = 0; hour < 30 * 24; hour++)
        {
            _gateway.Clock.Advance(TimeSpan.FromHours(1));
            sentAt.AddRange(Enumerable.Repeat(_gateway.Clock.GetUtcNow(), (await RetryDueAsync()).Sent));
        }

        sentAt.Count.ShouldBe(retriesAllowed);
        List<DateTimeOffset> reattempts = [.. Enumerable.Repeat(start, 10), .. sentAt];
        (int Most, TimeSpan Window)[] limits = pan[0] == '4' ? [(20, TimeSpan.FromDays(30))] : [(10, TimeSpan.FromHours(24)), (35, TimeSpan.FromDays(30))];
        foreach (var (most, window) in limits)
        {
            reattempts.Max(at => reattempts.Count(other => other > at - window && other <= at)).ShouldBeLessThanOrEqualTo(most, $"reattempts in any {window}");
        }

        var notes = new List<string?>();
        for (var i = 0; i < 11; i++)
        {
            notes.Add((await _merchant.Service<ChargeService>().HistoryAsync($"c-limit-{i}", default))!.RetryNote);
        }

        notes.Count(note => note!.StartsWith("No more retries: this card had", StringComparison.Ordinal)).ShouldBe(stoppedByTheLimit, "a charge the limit stopped says so");
    }

    [Fact]
    public async Task ElevenChargesDeclinedOnOneMastercard_TenAreRetriedOnTheDay_OneTheNextDay_AndTheSimulatorCountsNoViolation()
    {
        // Insufficient funds until two days after the first decline. Charges 2-11 are already 10 reattempts to the network, on day 0.
        await SeedAsync("eva", "5200000000050994");
        var start = _gateway.Clock.GetUtcNow();
        for (var i = 0; i < 11; i++)
        {
            (await ChargeAsync("eva", $"c-mc-{i}")).NextRetryAt.ShouldBe(start.AddDays(1));
        }

        _gateway.Clock.Advance(TimeSpan.FromDays(1));
        (await RetryDueAsync()).ShouldBe(new RetrySummary(10, 0, 10), "Mastercard allows 10 reattempts on a card in 24 hours");
        var waiting = (await _merchant.Service<ChargeService>().HistoryAsync("c-mc-10", default))!;
        (waiting.NextRetryAt, waiting.RetryNote).ShouldBe((start.AddDays(2), $"Retry waits until {PayerMaxTime.Format(start.AddDays(2))}: this card had 10 reattempts in 24 hours, Mastercard's limit."));

        _gateway.Clock.Advance(TimeSpan.FromDays(1));
        (await RetryDueAsync()).Sent.ShouldBe(1);
        for (var hour = 0; hour < 28 * 24; hour++)
        {
            _gateway.Clock.Advance(TimeSpan.FromHours(1));
            await RetryDueAsync();
        }

        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM acquirer_simulator_mits WHERE violation IS NOT NULL")).ShouldBe(0, "the merchant never broke a network rule");
    }

    [Fact]
    public async Task TheApiAndTheOperatorPage_ShowTheAttemptsTheAdviceAndTheNextRetry()
    {
        await SeedAsync("dan", "4000000000000309");
        await ChargeAsync("dan", "c-mac30");

        var history = await _merchant.Api.GetFromJsonAsync<JsonElement>("/api/charges/c-mac30");
        var attempt = history.GetProperty("attempts")[0];
        (attempt.GetProperty("adviceCategory").GetInt32(), attempt.GetProperty("merchantAdviceCode").GetString()).ShouldBe((2, "30"));
        history.GetProperty("nextRetryAt").GetDateTimeOffset().ShouldBe(_gateway.Clock.GetUtcNow().AddDays(10));
        (await _merchant.Api.GetAsync("/api/charges/unknown")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        using var page = new PageSession(_merchant.BaseUrl);
        await page.GetAsync("/shop/operator/login");
        await page.PostFormAsync("/shop/operator/login", [new("user", "operator"), new("password", MerchantHost.OperatorPassword)]);
        var html = (await page.GetAsync("/shop/operator/charges/c-mac30")).Body;
        html.ShouldContain("MAC 30");
        html.ShouldContain("data-attempt=\"1\" data-status=\"FAILED\"");
    }

    /// <summary>
    /// 1,000 charges, 100 on each kind of card (every customer with a card of their own in the test-card family),
    /// retried over 30 virtual days: every count follows from the simulator's documented rules and the retry
    /// policy (docs/stored-credentials.md), nothing else.
    /// </summary>
    [Fact]
    public async Task AThousandCharges_Over30Days_EndExactlyAsTheRulesSay()
    {
        // (card, charge reason, attempts the rules give, paid in the end)
        (string Family, string Reason, int Attempts, bool Paid)[] kinds =
        [
            ("4242", "Top-up", 1, true),     // approved
            ("0242", "Top-up", 2, true),     // MAC 24: retried after 1 hour, approved
            ("0259", "Top-up", 2, true),     // MAC 25: after 24 hours
            ("0309", "Top-up", 2, true),     // MAC 30: after 10 days
            ("0994", "Top-up", 3, true),     // funds 2 days after the first decline: day 1 declined, day 3 paid
            ("0028", "Top-up", 3, true),     // MAC 02, approves after 3 days: day 1 declined, day 3 paid
            ("0036", "Top-up", 1, false),    // MAC 03: never retried
            ("0101", "Top-up", 1, false),    // category 1: never retried
            ("0135", "Top-up", 1, false),    // category 3: revalidate, not retried
            ("4242", "FAILED", 4, false),    // declined every time without advice: the 3 scheduled retries, then stop
        ];
        var charges = new List<(string ChargeId, int Kind)>();
        for (var i = 0; i < 1000; i++)
        {
            var kind = i % kinds.Length;
            await Shared.SaveCardAsync(_gateway, $"u{i}", FamilyCard(kinds[kind].Family, i));
            charges.Add(($"sim-{i}", kind));
        }

        var lines = charges.Select((c, i) => new ChargeRequest($"u{i}", 5m, "USD", kinds[c.Kind].Reason, c.ChargeId)).ToList();
        await Parallel.ForEachAsync(lines.Select((l, i) => (l, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (line, ct) =>
        {
            await _merchant.Service<WalletService>().SyncAsync(line.l.UserId, ct);
            await _merchant.Service<ChargeService>().ChargeAsync(line.l, ct);
        });
        var retries = 0;
        for (var hour = 0; hour < 30 * 24; hour++)
        {
            _gateway.Clock.Advance(TimeSpan.FromHours(1));
            retries += (await RetryDueAsync()).Sent;
        }

        var service = _merchant.Service<ChargeService>();
        var outcomes = new List<(int Kind, int Attempts, bool Paid)>();
        foreach (var (chargeId, kind) in charges)
        {
            var history = (await service.HistoryAsync(chargeId, default))!;
            outcomes.Add((kind, history.Attempts.Count, history.Status == OrderStatuses.Success));
        }

        foreach (var (kind, index) in kinds.Select((k, i) => (k, i)))
        {
            outcomes.Where(o => o.Kind == index).Select(o => (o.Attempts, o.Paid)).Distinct().ShouldBe([(kind.Attempts, kind.Paid)], $"400000******{kind.Family} {kind.Reason}");
        }

        var expectedAttempts = kinds.Sum(k => k.Attempts) * 100;
        retries.ShouldBe(expectedAttempts - 1000);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1")).ShouldBe(expectedAttempts);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1 AND status = 'SUCCESS'")).ShouldBe(600, "every charge is paid at most once");
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM acquirer_simulator_mits WHERE violation IS NOT NULL")).ShouldBe(0, "the merchant never broke a network rule");
    }

    /// <summary>The customer's own card of a test-card family: 400000, their number, the Luhn digit, the family's last four.</summary>
    private static string FamilyCard(string lastFour, int customer) =>
        Enumerable.Range(0, 10).Select(d => $"400000{customer:D5}{d}{lastFour}").First(pan => Cards.IsValidPan(pan));

    private async Task<string> SeedAsync(string user, string pan)
    {
        var token = await Shared.SaveCardAsync(_gateway, user, pan);
        await _merchant.Service<WalletService>().SyncAsync(user, default);
        return token;
    }

    private Task<ChargeResult> ChargeAsync(string user, string chargeId, string reason = "Top-up") =>
        _merchant.Service<ChargeService>().ChargeAsync(new ChargeRequest(user, 5m, "USD", reason, chargeId), default);

    private Task<RetrySummary> RetryDueAsync() => _merchant.Service<ChargeRetrier>().RunDueAsync(default);
}
