using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Tests.Disputes;

/// <summary>
/// Sixty days of a subscription business on the sandbox clock (docs/disputes.md, "A 60-day run"): 100 customers
/// save a card and are charged without being there every 6 days, 1,000 MITs planned; one in five customers pays
/// with a dispute test card. The merchant answers every case the day it is raised, except NOT_RECEIVED ones
/// (left to expire), and stops charging a card once a FRAUD case on it is reported. Every case must end exactly
/// where the simulator's published rules put it, with the orders' money to match and no network violation.
/// </summary>
public sealed class SixtyDayRunTests : IAsyncLifetime
{
    private const int Days = 60;
    private const int Customers = 100;
    private const int MitsEach = 10;
    private const int ChargeEveryDays = 6;

    /// <summary>Customers on dispute test cards, by the cards' last four digits; everyone else pays with an ordinary card.</summary>
    private static readonly (string LastFour, int Customers)[] DisputeCards = [("7010", 4), ("7028", 4), ("7036", 4), ("7044", 4), ("7051", 2), ("7069", 2)];

    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Sandbox:Enabled"] = "true" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SixtyDaysOf1000Mits_EveryCaseEndsAsTheRulesSay_WithTheMoneyToMatch()
    {
        var customers = Enumerable.Range(0, Customers).Select(NewCustomer).ToList();
        var stopped = new HashSet<string>();
        string? cursor = null;
        var (sent, skipped) = (0, 0);

        for (var day = 0; day <= Days; day++)
        {
            cursor = await AnswerNewCasesAsync(cursor, customers, stopped);
            if (day == Days)
            {
                break;
            }

            foreach (var customer in customers)
            {
                if (day == 0)
                {
                    customer.TokenId = await SaveCardAsync(customer);
                }

                if (day % ChargeEveryDays != customer.Index % ChargeEveryDays || day / ChargeEveryDays >= MitsEach)
                {
                    continue;
                }

                if (stopped.Contains(customer.UserId))
                {
                    skipped++;
                    continue;
                }

                var mit = await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId($"m{day}"), customer.UserId, customer.TokenId!));
                mit.DataString("status").ShouldBe(OrderStatuses.Success, mit.ToString());
                customer.PaidOnDays.Add(day);
                sent++;
            }

            (await _host.Http.PostAsJsonAsync("/sandbox/clock", new { advance = "1.00:00:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (sent + skipped).ShouldBe(Customers * MitsEach);
        var expected = Expected(customers);
        var cases = await AllCasesAsync();
        Tally(cases).ShouldBe(Tally(expected), "cases by reason, status and result");
        skipped.ShouldBe(expected.SkippedMits, "MITs the merchant did not send after a FRAUD case");

        // The orders carry what the cases froze and took back; no network rule was broken.
        var lost = cases.Where(c => c.Result == CaseResults.Fail).Sum(c => c.AmountMinor);
        var open = cases.Where(c => c.Status is DisputeStatuses.Inquiry or DisputeStatuses.Received).Sum(c => c.AmountMinor);
        (await _host.ScalarAsync("SELECT COALESCE(SUM(charged_back_minor), 0) FROM orders")).ShouldBe(lost);
        (await _host.ScalarAsync("SELECT COALESCE(SUM(disputed_minor), 0) FROM orders")).ShouldBe(open);
        (await _host.ScalarAsync("SELECT COUNT(*) FROM acquirer_simulator_mits WHERE violation IS NOT NULL")).ShouldBe(0);
    }

    /// <summary>Reads the cases changed since <paramref name="cursor"/>: answers each new one but NOT_RECEIVED, and stops a card on FRAUD.</summary>
    private async Task<string?> AnswerNewCasesAsync(string? cursor, IReadOnlyList<Customer> customers, HashSet<string> stopped)
    {
        while (true)
        {
            var page = await _host.Merchant.PostAsync("caseList", new JsonObject { ["cursor"] = cursor, ["limit"] = 100 });
            page.Code.ShouldBe(ResultCodes.ApplySuccess, page.ToString());
            foreach (var found in page.Data.GetProperty("cases").EnumerateArray().Select(CaseOf))
            {
                if (found.Status != DisputeStatuses.Inquiry)
                {
                    continue;
                }

                if (found.Category == DisputeReasons.Fraud)
                {
                    stopped.Add(found.UserId);
                }

                if (found.Category != DisputeReasons.NotReceived)
                {
                    var answer = await _host.Merchant.PostAsync("caseReplay", new JsonObject
                    {
                        ["caseId"] = found.CaseId, ["outUserId"] = found.UserId, ["responseContent"] = "Subscription agreed at sign-up; every charge was notified.",
                        ["representmentFile"] = new JsonArray("https://shop.example/evidence/terms.pdf"),
                    });
                    answer.Data.GetProperty("successCaseIds").EnumerateArray().Select(id => id.GetString()).ShouldBe([found.CaseId], answer.ToString());
                }
            }

            cursor = page.DataString("nextCursor");
            if (!page.Data.GetProperty("hasMore").GetBoolean())
            {
                return cursor;
            }
        }
    }

    private async Task<string> SaveCardAsync(Customer customer)
    {
        var bind = await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(GatewayFixture.NewId("bind"), customer.UserId, customer.Pan));
        bind.DataString("status").ShouldBe(OrderStatuses.Success, bind.ToString());
        customer.PaidOnDays.Add(0);
        return (await _host.Merchant.InquireTokensAsync(customer.UserId)).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenID").GetString()!;
    }

    private async Task<List<RunCase>> AllCasesAsync()
    {
        var cases = new List<RunCase>();
        string? cursor = null;
        while (true)
        {
            var page = await _host.Merchant.PostAsync("caseList", new JsonObject { ["cursor"] = cursor, ["limit"] = 100 });
            cases.AddRange(page.Data.GetProperty("cases").EnumerateArray().Select(CaseOf));
            cursor = page.DataString("nextCursor");
            if (!page.Data.GetProperty("hasMore").GetBoolean())
            {
                return cases;
            }
        }
    }

    /// <summary>
    /// Where docs/disputes.md's rules put every case at the end. A payment on day k of a card disputed after D days
    /// is raised on day j = k + D (the clock stops there) and, unless NOT_RECEIVED, answered at once; ruled 10 days
    /// after the answer and closed a day later. An unanswered case is lost when its expiration date (the raising
    /// day + 14) ends, before day j + 15, and closed a day later. 7069's cardholder withdraws 5 days after raising.
    /// </summary>
    private static Expectation Expected(IReadOnlyList<Customer> customers)
    {
        var cases = new List<RunCase>();
        var skipped = 0;
        foreach (var customer in customers.Where(c => c.Plan is not null))
        {
            var plan = customer.Plan!.Value;
            var fraudRaisedOn = plan.Category == DisputeReasons.Fraud ? customer.PaidOnDays.Min() + plan.RaisedAfterDays : int.MaxValue;
            skipped += Enumerable.Range(0, MitsEach).Select(n => (customer.Index % ChargeEveryDays) + (n * ChargeEveryDays)).Count(day => day >= fraudRaisedOn);
            foreach (var raised in customer.PaidOnDays.Select(paid => paid + plan.RaisedAfterDays).Where(day => day <= Days))
            {
                var (status, result) = (plan.Category, plan.Withdraws) switch
                {
                    (_, true) when raised + 5 <= Days => (DisputeStatuses.Cancelled, null),
                    (_, true) => (DisputeStatuses.Received, null),
                    (DisputeReasons.NotReceived, _) => raised + 16 <= Days ? (DisputeStatuses.Closed, CaseResults.Fail)
                        : raised + 15 <= Days ? (DisputeStatuses.End, CaseResults.Fail) : (DisputeStatuses.Inquiry, (string?)null),
                    _ => raised + 11 <= Days ? (DisputeStatuses.Closed, plan.Ruling)
                        : raised + 10 <= Days ? (DisputeStatuses.End, plan.Ruling) : (DisputeStatuses.Received, null),
                };
                cases.Add(new RunCase("", customer.UserId, plan.Category, status, result, 1000));
            }
        }

        return new Expectation(cases, skipped);
    }

    private static Dictionary<string, int> Tally(IEnumerable<RunCase> cases) =>
        cases.GroupBy(c => $"{c.Category} {c.Status} {c.Result ?? "-"}").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    private static RunCase CaseOf(JsonElement view) => new(
        view.GetProperty("caseId").GetString()!, view.GetProperty("outUserId").GetString()!, view.GetProperty("reasonCategory").GetString()!,
        view.GetProperty("status").GetString()!, view.TryGetProperty("caseResult", out var result) ? result.GetString() : null,
        (long)(decimal.Parse(view.GetProperty("amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * 100));

    /// <summary>Customer n: the first twenty on the dispute test cards (each a card of their own), the rest on ordinary cards.</summary>
    private static Customer NewCustomer(int index)
    {
        var onDisputeCards = DisputeCards.SelectMany(card => Enumerable.Repeat(card.LastFour, card.Customers)).ToList();
        var lastFour = index < onDisputeCards.Count ? onDisputeCards[index] : null;
        var pan = lastFour is null ? "4444333322221111" : FamilyCard(index, lastFour);
        return new Customer(index, $"u_run_{index}", pan, lastFour is null ? null : Plans[lastFour]);
    }

    /// <summary>The published plan of each dispute test card (docs/disputes.md, "Test cards and subjects").</summary>
    private static readonly Dictionary<string, DisputePlan> Plans = new()
    {
        ["7010"] = new(DisputeReasons.Fraud, 20, CaseResults.Win, false),
        ["7028"] = new(DisputeReasons.Fraud, 20, CaseResults.Fail, false),
        ["7036"] = new(DisputeReasons.NotReceived, 15, CaseResults.Win, false),
        ["7044"] = new(DisputeReasons.Duplicate, 7, CaseResults.Win, false),
        ["7051"] = new(DisputeReasons.CancelledRecurring, 30, CaseResults.Win, false),
        ["7069"] = new(DisputeReasons.NotAsDescribed, 10, CaseResults.Win, true),
    };

    /// <summary>A valid Visa number of the test family ending in <paramref name="lastFour"/>, distinct per customer.</summary>
    private static string FamilyCard(int customer, string lastFour) =>
        Enumerable.Range(0, 10).Select(d => $"400000{customer:D5}{d}{lastFour}").First(pan => Cards.IsValidPan(pan));

    private readonly record struct DisputePlan(string Category, int RaisedAfterDays, string Ruling, bool Withdraws);

    private sealed record Customer(int Index, string UserId, string Pan, DisputePlan? Plan)
    {
        public string? TokenId { get; set; }

        public List<int> PaidOnDays { get; } = [];
    }

    private sealed record RunCase(string CaseId, string UserId, string Category, string Status, string? Result, long AmountMinor);

    private sealed record Expectation(List<RunCase> Cases, int SkippedMits) : IEnumerable<RunCase>
    {
        public IEnumerator<RunCase> GetEnumerator() => Cases.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
