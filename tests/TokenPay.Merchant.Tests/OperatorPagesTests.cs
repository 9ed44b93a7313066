using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// The operator's dashboard over real HTTP: the card the operator chooses is the one charged (page and API),
/// another user's card is refused by name and nothing is charged, a mistake brings the form back with what was
/// typed, and every page needs the operator's sign-in.
/// </summary>
public sealed class OperatorPagesTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private MerchantHost _merchant = null!;
    private string _aliceVisa = null!;
    private string _aliceMastercard = null!;
    private string _bobToken = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync();
        _merchant = await MerchantHost.StartAsync(_gateway);
        _aliceVisa = await Shared.SaveCardAsync(_gateway, "alice");
        _aliceMastercard = await Shared.SaveCardAsync(_gateway, "alice", "5555555555554444");
        _bobToken = await Shared.SaveCardAsync(_gateway, "bob");
        await _merchant.Service<WalletService>().SyncAsync("alice", default);
        await _merchant.Service<WalletService>().SyncAsync("bob", default);
    }

    public async Task DisposeAsync()
    {
        await _merchant.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task ChargeForm_ChargesTheChosenCard_NotTheNewest()
    {
        using var session = await SignedInAsync();
        (await session.GetAsync("/shop/operator/customers/alice")).Body.ShouldContain(_aliceVisa);

        var charged = await session.PostFormAsync("/shop/operator/customers/alice/charge", Charge(_aliceVisa, "4.20", "page-1"));

        charged.Status.ShouldBe(HttpStatusCode.OK);
        charged.Body.ShouldContain("<h1>Charged</h1>");
        charged.Body.ShouldContain($"data-token=\"{_aliceVisa}\"");
        (await MitOrdersAsync(_aliceVisa)).ShouldBe(1);
        (await MitOrdersAsync(_aliceMastercard)).ShouldBe(0, "the newest card was not the one chosen");
    }

    [Fact]
    public async Task Api_ChargesThePaymentTokenIdGiven()
    {
        foreach (var (chargeId, token) in new[] { ("api-1", _aliceVisa), ("api-2", _aliceMastercard) })
        {
            using var chosen = await _merchant.Api.PostAsJsonAsync("/api/charges", new { userId = "alice", amount = 2.00m, currency = "USD", reason = "Top-up", chargeId, paymentTokenId = token });
            (await chosen.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paymentTokenId").GetString().ShouldBe(token);
        }

        // The same chargeId with another card is another charge: refused, nothing charged again.
        using var reused = await _merchant.Api.PostAsJsonAsync("/api/charges", new { userId = "alice", amount = 2.00m, currency = "USD", reason = "Top-up", chargeId = "api-1", paymentTokenId = _aliceMastercard });
        reused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        // So is the same chargeId for another user; and asked again as it was, it answers its record.
        using var otherUser = await _merchant.Api.PostAsJsonAsync("/api/charges", new { userId = "bob", amount = 2.00m, currency = "USD", reason = "Top-up", chargeId = "api-1", paymentTokenId = _aliceVisa });
        otherUser.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        using var replay = await _merchant.Api.PostAsJsonAsync("/api/charges", new { userId = "alice", amount = 2.00m, currency = "USD", reason = "Top-up", chargeId = "api-1", paymentTokenId = _aliceVisa });
        replay.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayed").GetBoolean().ShouldBeTrue();
        (await MitOrdersAsync(_aliceVisa), await MitOrdersAsync(_aliceMastercard)).ShouldBe((1L, 1L));
    }

    [Fact]
    public async Task Api_ACardNotSeenHereYet_IsAskedOfTheGateway_AndChargedOnlyForItsOwner()
    {
        var carols = await Shared.SaveCardAsync(_gateway, "carol");

        using var dave = await _merchant.Api.PostAsJsonAsync("/api/charges", new { userId = "dave", amount = 1.00m, currency = "USD", reason = "Top-up", chargeId = "elsewhere-1", paymentTokenId = carols });
        dave.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var carol = await _merchant.Api.PostAsJsonAsync("/api/charges", new { userId = "carol", amount = 1.00m, currency = "USD", reason = "Top-up", chargeId = "elsewhere-2", paymentTokenId = carols });
        carol.StatusCode.ShouldBe(HttpStatusCode.OK);

        (await MitOrdersAsync(carols)).ShouldBe(1);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1 AND user_id = 'dave'")).ShouldBe(0);
    }

    [Fact]
    public async Task AnotherUsersCard_IsRefusedNamingTheField_AndNothingIsCharged()
    {
        using var session = await SignedInAsync();
        await session.GetAsync("/shop/operator/customers/alice");
        var page = await session.PostFormAsync("/shop/operator/customers/alice/charge", Charge(_bobToken, "3.30", "steal-1"));
        page.Status.ShouldBe(HttpStatusCode.BadRequest);
        page.Body.ShouldContain("id=\"hint-card\" role=\"alert\">paymentTokenId");
        page.Body.ShouldContain("value=\"3.30\"", Case.Sensitive, "the amount typed is kept");

        using var api = await _merchant.Api.PostAsJsonAsync("/api/charges", new { userId = "alice", amount = 3.30m, currency = "USD", reason = "Top-up", chargeId = "steal-2", paymentTokenId = _bobToken });
        api.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString().ShouldBe("paymentTokenId");

        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1")).ShouldBe(0);
        (await _merchant.ScalarAsync("SELECT COUNT(*) FROM payments WHERE kind = 'MIT'")).ShouldBe(0, "nothing recorded either");
    }

    [Fact]
    public async Task Mistakes_BringTheFormBack_WithWhatWasTyped()
    {
        using var session = new PageSession(_merchant.BaseUrl);
        await session.GetAsync("/shop/operator/login");
        var login = await session.PostFormAsync("/shop/operator/login", [new("user", "opal"), new("password", "guess")]);
        login.Status.ShouldBe(HttpStatusCode.Unauthorized);
        login.Body.ShouldContain("id=\"login-error\" role=\"alert\"");
        login.Body.ShouldContain("value=\"opal\"");
        login.Body.ShouldContain("id=\"operator-signin\"");

        await SignInAsync(session);
        await session.GetAsync("/shop/operator/customers/alice");
        var amount = await session.PostFormAsync("/shop/operator/customers/alice/charge", Charge(_aliceVisa, "10.001", "bad-amount"));
        amount.Status.ShouldBe(HttpStatusCode.BadRequest);
        amount.Body.ShouldContain("aria-describedby=\"hint-amount\"");
        amount.Body.ShouldContain("amount must be positive with at most 2 decimals for USD.");
        amount.Body.ShouldContain("value=\"10.001\"");
        amount.Body.ShouldContain($"value=\"{_aliceVisa}\" checked");
        var none = await session.PostFormAsync("/shop/operator/customers/alice/charge", Charge(null, "1.00", "no-card"));
        none.Body.ShouldContain("Choose the card to charge.");
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1")).ShouldBe(0);
    }

    [Fact]
    public async Task Refund_AboveWhatWasPaid_ComesBackAtTheAmount_ThenAPartSaysRefundPending()
    {
        using var session = await SignedInAsync();
        await session.GetAsync("/shop/operator/customers/alice");
        await session.PostFormAsync("/shop/operator/customers/alice/charge", Charge(_aliceVisa, "5.00", "to-refund"));
        var order = (await _merchant.ScalarTextAsync("SELECT out_trade_no FROM payments WHERE charge_id = 'to-refund'"))!;

        var page = await session.GetAsync($"/shop/operator/payments/{order}");
        page.Body.ShouldContain("id=\"refund-amount\" value=\"5.00\"", Case.Sensitive, "the form offers what may go back");
        var tooMuch = await session.PostFormAsync($"/shop/operator/payments/{order}/refund", [new("amount", "9.00"), new("reason", "Broken"), new("refundId", "too-much")]);
        tooMuch.Status.ShouldBe(HttpStatusCode.BadRequest);
        tooMuch.Body.ShouldContain("aria-describedby=\"hint-refund-amount\"");
        tooMuch.Body.ShouldContain("value=\"9.00\"");
        tooMuch.Body.ShouldContain("value=\"Broken\"");

        var part = await session.PostFormAsync($"/shop/operator/payments/{order}/refund", [new("amount", "1.50"), new("reason", "Broken"), new("refundId", "part")]);
        part.Status.ShouldBe(HttpStatusCode.OK);
        part.Body.ShouldContain("<h1>Refund pending</h1>");
        (await session.GetAsync($"/shop/operator/payments/{order}")).Body.ShouldContain("id=\"refund-amount\" value=\"3.50\"");
    }

    [Theory]
    [InlineData("/shop/operator")]
    [InlineData("/shop/operator/customers")]
    [InlineData("/shop/operator/customers/alice")]
    [InlineData("/shop/operator/payments")]
    [InlineData("/shop/operator/payments/any")]
    [InlineData("/shop/operator/charges")]
    [InlineData("/shop/operator/charges/any")]
    public async Task SignedOut_EveryPageSendsToTheLogin(string path)
    {
        using var session = new PageSession(_merchant.BaseUrl);
        var page = await session.GetAsync(path);
        page.Status.ShouldBe(HttpStatusCode.Redirect);
        page.Location.ShouldNotBeNull().ShouldContain("/shop/operator/login");
        page.Body.ShouldNotContain("alice");
    }

    [Fact]
    public async Task SignedOut_FormPostsChangeNothing()
    {
        using var session = new PageSession(_merchant.BaseUrl);
        await session.GetAsync("/shop/operator/login");
        var charge = await session.PostFormAsync("/shop/operator/customers/alice/charge", Charge(_aliceVisa, "1.00", "anon-1"));
        charge.Status.ShouldBeOneOf(HttpStatusCode.Redirect, HttpStatusCode.Forbidden);
        var refund = await session.PostFormAsync("/shop/operator/payments/any/refund", [new("amount", "1.00"), new("refundId", "anon-2")]);
        refund.Status.ShouldBeOneOf(HttpStatusCode.Redirect, HttpStatusCode.Forbidden);
        (await _merchant.ScalarAsync("SELECT COUNT(*) FROM payments WHERE kind = 'MIT'")).ShouldBe(0);
    }

    [Fact]
    public async Task Lists_ShowTheCustomersPaymentsAndCharges_AndRefuseABadFilterByName()
    {
        using var session = await SignedInAsync();
        await session.GetAsync("/shop/operator/customers/alice");
        await session.PostFormAsync("/shop/operator/customers/alice/charge", Charge(_aliceMastercard, "2.00", "listed"));

        var customers = await session.GetAsync("/shop/operator/customers?user=al");
        customers.Body.ShouldContain("data-user=\"alice\"");
        customers.Body.ShouldNotContain("data-user=\"bob\"");
        (await session.GetAsync("/shop/operator/payments?user=alice&kind=MIT")).Body.ShouldContain("data-status=\"SUCCESS\"");
        (await session.GetAsync("/shop/operator/payments?user=bob&kind=MIT")).Body.ShouldContain("No payments.");
        (await session.GetAsync("/shop/operator/charges?status=SUCCESS")).Body.ShouldContain("data-charge=\"listed\"");
        var bad = await session.GetAsync("/shop/operator/payments?status=PAID");
        bad.Status.ShouldBe(HttpStatusCode.BadRequest);
        bad.Body.ShouldContain("aria-describedby=\"hint-filter-status\"");
    }

    [Fact]
    public async Task PaymentList_PagesOnWithOlder_WithoutRepeatingOrSkipping()
    {
        var store = _merchant.Service<PaymentStore>();
        var orders = Enumerable.Range(0, 27).Select(i => $"shop_pager_{i:D2}").ToList();
        foreach (var order in orders)
        {
            await store.TryCreateAsync(new Payment { OutTradeNo = order, Kind = PaymentKinds.Checkout, UserId = "pager", AmountMinor = 100, Currency = "USD", Status = PaymentStatuses.Pending, CreatedAt = 0, UpdatedAt = 0 }, default);
        }

        using var session = await SignedInAsync();
        var first = await session.GetAsync("/shop/operator/payments?user=pager");
        var older = WebUtility.HtmlDecode(Regex.Match(first.Body, "id=\"older\" href=\"([^\"]+)\"").Groups[1].Value);
        older.ShouldStartWith("/shop/operator/payments?user=pager&older=");
        var second = await session.GetAsync(older);

        var shown = Regex.Matches(first.Body + second.Body, "data-order=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        shown.ShouldBe(orders.OrderDescending(StringComparer.Ordinal).ToList(), "newest first (one clock: by order number), each once");
        second.Body.ShouldNotContain("id=\"older\"");
        (await session.GetAsync("/shop/operator/payments?older=broken")).Body.ShouldContain("This link to older payments is broken");
    }

    [Fact]
    public async Task ACustomerWithoutACard_IsToldSoPlainly_WithNoChargeForm()
    {
        await _merchant.Service<WalletService>().RemoveAsync("bob", _bobToken, default);
        using var session = await SignedInAsync();

        var page = await session.GetAsync("/shop/operator/customers/bob");

        page.Body.ShouldContain("id=\"no-card\"");
        page.Body.ShouldNotContain("id=\"charge-form\"");
        (await session.GetAsync("/shop/operator/customers/nobody")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    private static KeyValuePair<string, string>[] Charge(string? token, string amount, string chargeId) =>
        [.. token is null ? [] : new KeyValuePair<string, string>[] { new("paymentTokenId", token) }, new("amount", amount), new("currency", "USD"), new("reason", "Top-up"), new("chargeId", chargeId)];

    private Task<long> MitOrdersAsync(string token) =>
        _gateway.ScalarAsync($"SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1 AND payment_token_id = '{token}'");

    private async Task<PageSession> SignedInAsync()
    {
        var session = new PageSession(_merchant.BaseUrl);
        await SignInAsync(session);
        return session;
    }

    private static async Task SignInAsync(PageSession session)
    {
        await session.GetAsync("/shop/operator/login");
        (await session.PostFormAsync("/shop/operator/login", [new("user", "operator"), new("password", MerchantHost.OperatorPassword)])).Status.ShouldBe(HttpStatusCode.Redirect);
    }
}
