using System.Net;
using System.Text;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// Nobody charges a card or reads a wallet they should not: the API needs the operator key, the operator
/// pages a password login, shoppers see only their own cards, and forms refuse cross-site posts.
/// </summary>
public sealed class AccessTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private MerchantHost _merchant = null!;
    private string _aliceToken = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync();
        _merchant = await MerchantHost.StartAsync(_gateway);
        _aliceToken = await Shared.SaveCardAsync(_gateway, "alice");
        await _merchant.Service<WalletService>().SyncAsync("alice", default);
    }

    public async Task DisposeAsync()
    {
        await _merchant.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task HealthEndpoints_NeedNoKey_AndSayNothingButHealthy()
    {
        foreach (var path in (string[])["/healthz", "/readyz"])
        {
            using var response = await _merchant.Http.GetAsync(new Uri(path, UriKind.Relative));
            (response.StatusCode, await response.Content.ReadAsStringAsync()).ShouldBe((HttpStatusCode.OK, "Healthy"), path);
        }
    }

    [Theory]
    [InlineData("POST", "/api/charges")]
    [InlineData("GET", "/api/wallet/alice")]
    [InlineData("POST", "/api/wallet/alice/sync")]
    [InlineData("DELETE", "/api/wallet/alice/TOKEN")]
    [InlineData("GET", "/api/payments/anything")]
    [InlineData("POST", "/api/reconcile")]
    [InlineData("POST", "/api/refunds")]
    [InlineData("GET", "/api/refunds/anything")]
    public async Task Api_WithoutKey401_WrongKey403_NothingChanges(string method, string path)
    {
        foreach (var (key, expected) in new[] { ((string?)null, HttpStatusCode.Unauthorized), ("wrong-key", HttpStatusCode.Forbidden) })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("TOKEN", _aliceToken, StringComparison.Ordinal))
            {
                Content = new StringContent("""{"userId":"alice","amount":999.99,"currency":"USD","reason":"x","chargeId":"steal-1"}""", Encoding.UTF8, "application/json"),
            };
            if (key is not null)
            {
                request.Headers.Add("X-Operator-Key", key);
            }

            using var response = await _merchant.Http.SendAsync(request);

            response.StatusCode.ShouldBe(expected);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            (await response.Content.ReadAsStringAsync()).ShouldNotContain("alice\"", Case.Sensitive, "no wallet data in a refusal");
        }

        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1")).ShouldBe(0);
        (await _gateway.Merchant.InquireTokensAsync("alice")).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Activated);
    }

    [Fact]
    public async Task Api_WithKey_Charges()
    {
        using var response = await _merchant.Api.PostAsync("/api/charges", new StringContent("""{"userId":"alice","amount":5.00,"currency":"USD","reason":"Top-up","chargeId":"ok-1"}""", Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"status\":\"SUCCESS\"");
    }

    [Fact]
    public async Task OperatorPages_NeedLogin_AndWrongPasswordIsRefused()
    {
        using var session = new PageSession(_merchant.BaseUrl);
        (await session.GetAsync("/shop/operator")).Location.ShouldNotBeNull().ShouldContain("/shop/operator/login");

        await session.GetAsync("/shop/operator/login");
        var wrong = await session.PostFormAsync("/shop/operator/login", [new("user", "operator"), new("password", "guess")]);
        wrong.Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await session.GetAsync("/shop/operator")).Status.ShouldBe(HttpStatusCode.Redirect, "still not signed in");

        // Signed in, but a charge posted without the page's antiforgery token (a cross-site form) changes nothing.
        await SignInOperatorAsync(session);
        await session.GetAsync("/shop/operator");
        var forged = await session.PostFormAsync("/shop/operator/customers/alice/charge", ChargeForm("forged-1"), withToken: false);
        forged.Status.ShouldBe(HttpStatusCode.Forbidden);
        var crossOrigin = await session.PostFormAsync("/shop/operator/customers/alice/charge", ChargeForm("forged-2"), origin: "http://evil.example");
        crossOrigin.Status.ShouldBe(HttpStatusCode.Forbidden);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1")).ShouldBe(0);

        var charged = await session.PostFormAsync("/shop/operator/customers/alice/charge", ChargeForm("real-1"));
        charged.Status.ShouldBe(HttpStatusCode.OK);
        charged.Body.ShouldContain("data-status=\"SUCCESS\"");
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE merchant_initiated = 1")).ShouldBe(1);
    }

    [Fact]
    public async Task Shopper_SeesAndRemovesOnlyOwnCards()
    {
        using var anonymous = new PageSession(_merchant.BaseUrl);
        (await anonymous.GetAsync("/shop/wallet?user=alice")).Location.ShouldNotBeNull().ShouldContain("/shop/signin");

        using var mallory = new PageSession(_merchant.BaseUrl);
        await SignInShopperAsync(mallory, "mallory");

        var page = await mallory.GetAsync("/shop/wallet?user=alice");
        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Body.ShouldContain("Saved cards of mallory");
        page.Body.ShouldNotContain(_aliceToken);

        var removal = await mallory.PostFormAsync("/shop/wallet/remove", [new("token", _aliceToken), new("user", "alice")]);
        removal.Status.ShouldBe(HttpStatusCode.Redirect);
        (await _gateway.Merchant.InquireTokensAsync("alice")).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Activated);

        using var alice = new PageSession(_merchant.BaseUrl);
        await SignInShopperAsync(alice, "alice");
        (await alice.GetAsync("/shop/wallet")).Body.ShouldContain(_aliceToken);
        (await alice.PostFormAsync("/shop/wallet/remove", [new("token", _aliceToken)], withToken: false)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await _gateway.Merchant.InquireTokensAsync("alice")).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Activated);
        await alice.GetAsync("/shop/wallet");
        (await alice.PostFormAsync("/shop/wallet/remove", [new("token", _aliceToken)])).Status.ShouldBe(HttpStatusCode.Redirect);
        (await _gateway.Merchant.InquireTokensAsync("alice")).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Deleted);
    }

    [Fact]
    public async Task Checkout_NeedsSignInAndToken()
    {
        using var anonymous = new PageSession(_merchant.BaseUrl);
        var post = await anonymous.PostFormAsync("/shop/checkout", [new("route", "hosted")]);
        post.Status.ShouldBeOneOf(HttpStatusCode.Redirect, HttpStatusCode.Forbidden);

        using var shopper = new PageSession(_merchant.BaseUrl);
        await SignInShopperAsync(shopper, "bob");
        (await shopper.PostFormAsync("/shop/checkout", [new("route", "hosted")], withToken: false)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE user_id = 'bob'")).ShouldBe(0);
    }

    [Fact]
    public async Task ReturnPage_ShowsOnlyTheShoppersOwnOrder()
    {
        using var bob = new PageSession(_merchant.BaseUrl);
        await SignInShopperAsync(bob, "bob");
        await bob.GetAsync("/");
        var checkout = await bob.PostFormAsync("/shop/checkout", [new("route", "hosted")]);
        checkout.Status.ShouldBe(HttpStatusCode.Redirect);
        var order = (await _merchant.ScalarTextAsync("SELECT out_trade_no FROM payments WHERE user_id = 'bob'"))!;

        (await bob.GetAsync($"/shop/return?order={order}")).Status.ShouldBe(HttpStatusCode.OK);
        using var eve = new PageSession(_merchant.BaseUrl);
        await SignInShopperAsync(eve, "eve");
        (await eve.GetAsync($"/shop/return?order={order}")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/shop/signin")]
    [InlineData("/shop/signout")]
    [InlineData("/shop/checkout")]
    [InlineData("/shop/wallet/remove")]
    [InlineData("/shop/operator/login")]
    [InlineData("/shop/operator/customers/alice/charge")]
    [InlineData("/shop/operator/payments/any/refund")]
    public async Task MalformedFormPosts_RefusedNever500(string path)
    {
        foreach (var (contentType, body) in new[] { ("multipart/form-data", "a=b"), ("multipart/form-data; boundary=x", "--x\r\n"), ("application/x-www-form-urlencoded", new string('k', 5000) + "=v"), ("application/json", "{") })
        {
            using var content = new StringContent(body);
            content.Headers.Remove("Content-Type");
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);

            using var response = await _merchant.Http.PostAsync(path, content);

            ((int)response.StatusCode).ShouldBeLessThan(500, $"{path} {contentType}");
        }
    }

    private KeyValuePair<string, string>[] ChargeForm(string chargeId) =>
        [new("paymentTokenId", _aliceToken), new("amount", "5.00"), new("currency", "USD"), new("reason", "Top-up"), new("chargeId", chargeId)];

    private static async Task SignInShopperAsync(PageSession session, string user)
    {
        await session.GetAsync("/shop/signin");
        (await session.PostFormAsync("/shop/signin", [new("user", user)])).Status.ShouldBe(HttpStatusCode.Redirect);
    }

    private static async Task SignInOperatorAsync(PageSession session)
    {
        await session.GetAsync("/shop/operator/login");
        (await session.PostFormAsync("/shop/operator/login", [new("user", "operator"), new("password", MerchantHost.OperatorPassword)])).Status.ShouldBe(HttpStatusCode.Redirect);
    }
}
