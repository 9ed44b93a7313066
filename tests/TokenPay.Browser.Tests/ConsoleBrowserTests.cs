using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenPay.Protocol;

namespace TokenPay.Browser.Tests;

/// <summary>The operator console (/admin/console) in Chromium, on a sandbox-mode gateway: at a laptop's and a phone's width.</summary>
public sealed class ConsoleBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        if (Browser.SkipReason is not null)
        {
            return;
        }

        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Sandbox:Enabled"] = "true" });
        _receiver = await NotificationReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
            await _gateway.DisposeAsync();
        }
    }

    [BrowserFact]
    public Task OrderTimeline_ShowsEachAttempt_AndResendDeliversIt() => browser.RunAsync(nameof(OrderTimeline_ShowsEachAttempt_AndResendDeliversIt), async page =>
    {
        _receiver.Reply = n => n == 1 ? ReceiverReply.ServerError : ReceiverReply.Ack;
        var order = await PayAsync("console_user");
        await Eventually.UntilAsync(() => _gateway.ScalarAsync($"SELECT COUNT(*) FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id JOIN orders o ON o.id = n.order_id WHERE o.out_trade_no = '{order}'"), c => c == 1, "the failed attempt");

        await page.GotoAsync($"{_gateway.BaseAddress}admin/console/?userId=console_user");
        await page.ClickAsync($"#orders a:text-is('{order}')");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Order {order}");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("Request received: orderAndPay");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("PAYMENT attempt 1: HTTP 500");
        await Assertions.Expect(page.Locator("table.attempts tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table.attempts tbody tr").First).ToContainTextAsync("500");

        await page.ClickAsync("button.resend");

        // The resend is delivered in the background; the page follows the event log and shows the new attempt.
        await Assertions.Expect(page.Locator("table.attempts tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("table.attempts tbody tr").Nth(1)).ToContainTextAsync("acknowledged");
        await Assertions.Expect(page.Locator("section.notification .badge").First).ToHaveTextAsync("Delivered");
        await Assertions.Expect(page.Locator("#events")).ToContainTextAsync("notification.resent");
        _receiver.Received.Count.ShouldBe(2);
    }, width: 1280);

    [BrowserFact]
    public Task Sandbox_MoveTheClockAndSetARule_FromThePage() => browser.RunAsync(nameof(Sandbox_MoveTheClockAndSetARule_FromThePage), async page =>
    {
        await page.GotoAsync($"{_gateway.BaseAddress}admin/console/");
        var before = await page.Locator("#clock-now").TextContentAsync();

        await page.FillAsync("#advance", "1.00:00:00");
        await page.ClickAsync("#move-clock");
        await Assertions.Expect(page.Locator("#clock-now")).Not.ToHaveTextAsync(before!);
        await Assertions.Expect(page.Locator("#events")).ToContainTextAsync("Sandbox clock moved");

        await page.FillAsync("#rule", """{"kind":"notification.drop","userId":"nobody_here"}""");
        await page.ClickAsync("#add-fault");
        await Assertions.Expect(page.Locator("#faults tbody")).ToContainTextAsync("notification.drop");

        await page.FillAsync("#rule", """{"kind":"notification.explode"}""");
        await page.ClickAsync("#add-fault");
        await Assertions.Expect(page.Locator("#rule-error")).ToContainTextAsync("kind must be one of");

        await page.FillAsync("#advance", "soon");
        await page.ClickAsync("#move-clock");
        await Assertions.Expect(page.Locator("#advance-error")).ToContainTextAsync("advance must be a positive duration");
    }, width: 1280);

    [BrowserFact]
    public Task LeftOpen_FetchesOnlyWhenSomethingHappens_AndItsOwnRequestsAreNotEvents() => browser.RunAsync(nameof(LeftOpen_FetchesOnlyWhenSomethingHappens_AndItsOwnRequestsAreNotEvents), async page =>
    {
        await page.GotoAsync($"{_gateway.BaseAddress}admin/console/");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("live");
        // A reload would lose this.
        await page.EvaluateAsync("window.sameDocument = true");
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue($"{request.Method} {request.Url}");

        await AddRuleAsync("quiet_user");
        await Assertions.Expect(page.Locator("#faults tbody")).ToContainTextAsync("quiet_user");
        await Assertions.Expect(page.Locator("#events")).ToContainTextAsync("fault.added");
        (await page.EvaluateAsync<bool>("window.sameDocument === true")).ShouldBeTrue("the live update reloaded the page");
        var liveUpdate = $"GET {_gateway.BaseAddress}admin/console/";
        requests.ShouldNotBeEmpty();
        requests.ShouldAllBe(r => r == liveUpdate);

        // Nothing happens now, so the page asks for nothing (its event stream stays open). The POST's own request
        // event can come a moment after the rule's and bring one more update: let it pass first.
        await Task.Delay(TimeSpan.FromSeconds(1));
        requests.Clear();
        await Task.Delay(TimeSpan.FromSeconds(2));
        requests.ShouldBeEmpty();

        var log = JsonDocument.Parse(await _gateway.Http.GetStringAsync("admin/log?after=0")).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "request")
            .Select(e => e.GetProperty("data").GetProperty("path").GetString()!)
            .ToList();
        log.ShouldContain("/sandbox/faults");
        log.ShouldNotContain(path => path.StartsWith("/admin/console", StringComparison.Ordinal) || path.StartsWith("/admin/events", StringComparison.Ordinal) || path == "/assets/console.js", $"the console's own requests are events: {string.Join(", ", log)}");
    }, width: 1280);

    [BrowserFact]
    public Task OnAPhone_AMistakeKeepsWhatWasTyped_ShowsTheErrorByTheField_AndThePageStaysLive() => browser.RunAsync(nameof(OnAPhone_AMistakeKeepsWhatWasTyped_ShowsTheErrorByTheField_AndThePageStaysLive), async page =>
    {
        var failures = new ConcurrentQueue<string>();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && response.Request.Method == "GET")
            {
                failures.Enqueue($"{response.Status} {response.Url}");
            }
        };
        // Enough orders that the sandbox forms sit below the first screen.
        for (var i = 0; i < 25; i++)
        {
            await PayAsync("phone_list_user");
        }

        await page.GotoAsync($"{_gateway.BaseAddress}admin/console/");
        await Assertions.Expect(page.Locator("#advance-error")).Not.ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#move-clock")).Not.ToBeInViewportAsync();

        await page.FillAsync("#advance", "soon");
        await page.ClickAsync("#move-clock");
        await Assertions.Expect(page.Locator("#advance-error")).ToContainTextAsync("advance must be a positive duration");
        await Assertions.Expect(page.Locator("#advance")).ToHaveValueAsync("soon");
        await Assertions.Expect(page.Locator("#advance")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#advance-error")).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("live");

        // The page sits at the POST's address; its live update still works and leaves the typed value alone.
        await AddRuleAsync("after_clock_mistake");
        await Assertions.Expect(page.Locator("#faults tbody")).ToContainTextAsync("after_clock_mistake");
        await Assertions.Expect(page.Locator("#advance")).ToHaveValueAsync("soon");

        const string badRule = """{"kind":"notification.explode","userId":"typed_by_hand"}""";
        await page.FillAsync("#rule", badRule);
        await page.ClickAsync("#add-fault");
        await Assertions.Expect(page.Locator("#rule-error")).ToContainTextAsync("kind must be one of");
        await Assertions.Expect(page.Locator("#rule")).ToHaveValueAsync(badRule);
        await Assertions.Expect(page.Locator("#rule-error")).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("live");

        await AddRuleAsync("after_rule_mistake");
        await Assertions.Expect(page.Locator("#faults tbody")).ToContainTextAsync("after_rule_mistake");
        await Assertions.Expect(page.Locator("#rule")).ToHaveValueAsync(badRule);

        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth")).ShouldBeLessThanOrEqualTo(0, "the page with the error scrolls sideways at 390 px");

        // Done right, each form brings the operator back to itself, not to the top of the orders.
        var before = await page.Locator("#clock-now").TextContentAsync();
        await page.FillAsync("#advance", "01:00:00");
        await page.ClickAsync("#move-clock");
        await Assertions.Expect(page.Locator("#clock-now")).Not.ToHaveTextAsync(before!);
        await Assertions.Expect(page.Locator("#move-clock")).ToBeInViewportAsync();
        await page.Locator("#faults tr", new() { HasText = "after_clock_mistake" }).Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator("#faults tbody")).Not.ToContainTextAsync("after_clock_mistake");
        await Assertions.Expect(page.Locator("#faults")).ToBeInViewportAsync();
        failures.ShouldBeEmpty();
    }, width: 390);

    [BrowserFact]
    public Task OnAPhone_PagesFitTheScreenWidth() => browser.RunAsync(nameof(OnAPhone_PagesFitTheScreenWidth), async page =>
    {
        var order = await PayAsync("phone_user");
        var tradeToken = (await _gateway.TextColumnAsync($"SELECT trade_token FROM orders WHERE out_trade_no = '{order}'"))[0];

        foreach (var path in new[] { "admin/console/", $"admin/console/orders/{tradeToken}", $"admin/console/users/{TestKeys.MerchantNo}/phone_user" })
        {
            await page.GotoAsync($"{_gateway.BaseAddress}{path}");
            await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
            overflow.ShouldBeLessThanOrEqualTo(0, $"{path} scrolls sideways at 390 px");
        }

        await Assertions.Expect(page.Locator("#tokens tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#tokens")).ToContainTextAsync("444433******1111");
        await Assertions.Expect(page.Locator("body")).Not.ToContainTextAsync("4444333322221111");
    }, width: 390);

    [BrowserFact]
    public Task OrderFilter_AMistakeIsShownUnderItsField_AndTheTypedValuesStay() => browser.RunAsync(nameof(OrderFilter_AMistakeIsShownUnderItsField_AndTheTypedValuesStay), async page =>
    {
        var tooLong = new string('u', 65);
        await page.GotoAsync($"{_gateway.BaseAddress}admin/console/?merchantNo=M1&userId={tooLong}");

        await Assertions.Expect(page.Locator("#userId-error")).ToContainTextAsync("userId must be at most 64 characters");
        await Assertions.Expect(page.Locator("#userId")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#userId")).ToHaveValueAsync(tooLong);
        await Assertions.Expect(page.Locator("#merchantNo")).ToHaveValueAsync("M1");
        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth")).ShouldBeLessThanOrEqualTo(0, "the filter error scrolls sideways at 390 px");

        await page.FillAsync("#userId", "short_user");
        await page.ClickAsync("#filter");
        await Assertions.Expect(page.Locator("#no-orders")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#userId-error")).Not.ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#merchantNo")).ToHaveValueAsync("M1");
    }, width: 390);

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task OrderListOrderAndUser_FitTheWidth_AndTheListShowsItsKeyColumns(int width) => browser.RunAsync($"{nameof(OrderListOrderAndUser_FitTheWidth_AndTheListShowsItsKeyColumns)}_{width}", async page =>
    {
        var user = $"layout_user_{width}";
        var declined = await PayAsync(user, "4000000000000069");
        await PayAsync(user);
        // As long as a merchant service's retry order number (mit_, 40 hex digits, _r2): it wraps, the columns stay.
        await PayAsync(user, order: $"mit_{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8]}_r2");
        var tradeToken = (await _gateway.TextColumnAsync($"SELECT trade_token FROM orders WHERE out_trade_no = '{declined}'"))[0];

        await page.GotoAsync($"{_gateway.BaseAddress}admin/console/?userId={user}");
        await Assertions.Expect(page.Locator("#orders tbody tr")).ToHaveCountAsync(3);
        await Layout.ShouldFitAsync(page);
        // Without scrolling the table, each order shows its number, status and amount.
        var offScreen = await page.EvaluateAsync<string[]>("""
            () => {
              const headers = [...document.querySelectorAll('#orders thead th')].map(th => th.textContent);
              return [...document.querySelectorAll('#orders tbody tr')].flatMap(row => ['outTradeNo', 'Status', 'Amount']
                .filter(name => { const r = row.cells[headers.indexOf(name)].getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })
                .map(name => `${name} of ${row.cells[headers.indexOf('outTradeNo')].textContent}`));
            }
            """);
        offScreen.ShouldBeEmpty($"off screen at {width} px");

        // The sandbox's clock and faults: a rule in the table, then each form with its field's error.
        await AddRuleAsync($"{user}_with_a_rather_long_user_id_0123456789");
        await Assertions.Expect(page.Locator("#faults tbody")).ToContainTextAsync(user);
        await Layout.ShouldFitAsync(page);
        await page.FillAsync("#advance", "soon");
        await page.ClickAsync("#move-clock");
        await Assertions.Expect(page.Locator("#advance-error")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
        await page.FillAsync("#rule", """{"kind":"notification.explode"}""");
        await page.ClickAsync("#add-fault");
        await Assertions.Expect(page.Locator("#rule-error")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);

        foreach (var path in new[] { $"admin/console/orders/{tradeToken}", $"admin/console/users/{TestKeys.MerchantNo}/{user}" })
        {
            await page.GotoAsync($"{_gateway.BaseAddress}{path}");
            await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
            await Layout.ShouldFitAsync(page);
        }
    }, width);

    // A sandbox rule set by API: an event the console shows, from outside the page.
    private async Task AddRuleAsync(string user)
    {
        using var added = await _gateway.Http.PostAsync("sandbox/faults", new StringContent($$"""{"kind":"notification.drop","userId":"{{user}}"}""", System.Text.Encoding.UTF8, "application/json"));
        added.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
    }

    private async Task<string> PayAsync(string user, string pan = "4444333322221111", string? order = null)
    {
        order ??= "con_" + Guid.NewGuid().ToString("N")[..12];
        var data = OrderRequests.Bind(order, user, pan);
        data["notifyUrl"] = _receiver.Url;
        (await _gateway.Merchant.PostAsync("orderAndPay", data)).Code.ShouldBe(ResultCodes.ApplySuccess);
        return order;
    }
}
