using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenPay.Protocol;

namespace TokenPay.Browser.Tests;

/// <summary>Hosted cashier, 3DS and Drop-in driven in Debian's Chromium against a real gateway and a merchant site on another origin.</summary>
public sealed class CheckoutBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private ExampleMerchantSite _site = null!;

    public async Task InitializeAsync()
    {
        if (Browser.SkipReason is not null)
        {
            return;
        }

        _gateway = await GatewayHost.StartAsync();
        _site = await ExampleMerchantSite.StartAsync(_gateway);
    }

    public async Task DisposeAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
            await _gateway.DisposeAsync();
        }
    }

    [BrowserFact]
    public Task HostedBindOnly_CardSavedForMitAndBrowserReturned() => browser.RunAsync(nameof(HostedBindOnly_CardSavedForMitAndBrowserReturned), async page =>
    {
        var (order, link) = await HostedAsync("bind_only_user", 0m);

        await page.GotoAsync(link);
        (await page.Locator("#consent").TextContentAsync())!.ShouldContain("without you being present");
        await FillCardAsync(page, "5555 5555 5555 4444");
        await page.ClickAsync("#submit");
        await Browser.WaitForUrlAsync(page, _site.ReturnUrl);
        await Assertions.Expect(page.Locator("#back")).ToBeVisibleAsync();

        var query = await _gateway.Merchant.QueryAsync(order);
        query.DataString("status").ShouldBe(OrderStatuses.Success);
        var tokens = (await _gateway.Merchant.InquireTokensAsync("bind_only_user", "tokenMit")).Data.GetProperty("tokenList");
        tokens.GetArrayLength().ShouldBe(1);
        tokens[0].GetProperty("brand").GetString().ShouldBe("MASTERCARD");
    });

    [BrowserFact]
    public Task HostedPayAndBind_ThreeDsPassed_SucceedsWithToken() => browser.RunAsync(nameof(HostedPayAndBind_ThreeDsPassed_SucceedsWithToken), async page =>
    {
        var (order, link) = await HostedAsync("three_ds_user", 25m);

        await page.GotoAsync(link);
        await FillCardAsync(page, "4000000000003220");
        await page.ClickAsync("#submit");
        await Browser.WaitForUrlAsync(page, new Regex("/threeds/"));
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("400000******3220");
        await page.ClickAsync("#pass");
        await Browser.WaitForUrlAsync(page, _site.ReturnUrl);

        var query = await _gateway.Merchant.QueryAsync(order);
        query.DataString("status").ShouldBe(OrderStatuses.Success);
        query.Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString().ShouldStartWith("PMTOKEN");
    });

    [BrowserFact]
    public Task HostedPayment_ThreeDsFailed_OrderFailedNoToken() => browser.RunAsync(nameof(HostedPayment_ThreeDsFailed_OrderFailedNoToken), async page =>
    {
        var (order, link) = await HostedAsync("three_ds_fail_user", 25m);

        await page.GotoAsync(link);
        await FillCardAsync(page, "4000000000003220");
        await page.ClickAsync("#submit");
        await Browser.WaitForUrlAsync(page, new Regex("/threeds/"));
        await page.ClickAsync("#fail");
        await Browser.WaitForUrlAsync(page, _site.ReturnUrl);

        var query = await _gateway.Merchant.QueryAsync(order);
        query.DataString("status").ShouldBe(OrderStatuses.Failed);
        query.DataString("resultCode").ShouldBe(ResultCodes.AuthenticateFailed);
        (await _gateway.Merchant.InquireTokensAsync("three_ds_fail_user")).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    });

    [BrowserFact]
    public Task DropIn_BindThenMitWithTheSavedToken() => browser.RunAsync(nameof(DropIn_BindThenMitWithTheSavedToken), async page =>
    {
        await page.GotoAsync($"{_site.BaseUrl}/dropin?user=dropin_user");
        var frame = page.FrameLocator("iframe[title='Card details']");
        await frame.Locator("#cardIdentifierNo").FillAsync("4242424242424242");
        await frame.Locator("#cardHolderFullName").FillAsync("Drop In");
        await frame.Locator("#cardExpirationMonth").FillAsync("12");
        await frame.Locator("#cardExpirationYear").FillAsync("30");
        await frame.Locator("#cvv").FillAsync("123");
        (await frame.Locator("#consent").TextContentAsync())!.ShouldContain("without you being present");
        await frame.Locator("#submit").ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("SUCCESS");

        // The merchant page saw only the masked card and the token, never the number.
        (await page.Locator("#result").TextContentAsync())!.ShouldContain("424242******4242");
        (await page.ContentAsync()).ShouldNotContain("4242424242424242");
        var token = (await page.Locator("#result").TextContentAsync())!.Split(' ')[1];
        var mit = await _gateway.Merchant.PostAsync("orderAndPay", OrderRequests.Mit("dropin_mit_1", "dropin_user", token, 9.99m));
        mit.DataString("status").ShouldBe(OrderStatuses.Success);
    });

    [BrowserFact]
    public Task Cashier_InvalidCardNumber_ErrorShownAndNothingSubmitted() => browser.RunAsync(nameof(Cashier_InvalidCardNumber_ErrorShownAndNothingSubmitted), async page =>
    {
        var (order, link) = await HostedAsync("typo_user", 10m);

        await page.GotoAsync(link);
        await FillCardAsync(page, "4444 3333 2222 1112");
        await page.ClickAsync("#submit");

        await Assertions.Expect(page.Locator("#error-cardIdentifierNo")).ToContainTextAsync("not valid");
        page.Url.ShouldBe(link);
        (await _gateway.Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Pending);
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM vault_cards")).ShouldBe(0);
    });

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task GatewayPages_FitTheWidth_EmptyWithAnErrorAndAtTheEnd(int width) => browser.RunAsync($"{nameof(GatewayPages_FitTheWidth_EmptyWithAnErrorAndAtTheEnd)}_{width}", async page =>
    {
        await page.GotoAsync(_gateway.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("TokenPay gateway");
        await Layout.ShouldFitAsync(page);

        // The cashier of an order placed without a country (it asks for one): empty, with fields' errors, then the 3DS challenge.
        var (_, link) = await HostedAsync($"fit_cashier_{width}", 25m, country: null);
        await page.GotoAsync(link);
        await Layout.ShouldFitAsync(page);
        await FillCardAsync(page, "4444 3333 2222 1112");
        await page.ClickAsync("#submit");
        await Assertions.Expect(page.Locator("#error-cardIdentifierNo")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#error-country")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
        await FillCardAsync(page, "4000000000003220");
        await page.SelectOptionAsync("#country", "DE");
        await page.ClickAsync("#submit");
        await Browser.WaitForUrlAsync(page, new Regex("/threeds/"));
        await Layout.ShouldFitAsync(page);
        var challenge = page.Url;
        await page.ClickAsync("#pass");
        await Browser.WaitForUrlAsync(page, _site.ReturnUrl);

        // A shopper who comes back to a used link, or follows a wrong one.
        foreach (var (url, heading) in new[] { (link, "Link no longer valid"), (challenge, "Link no longer valid"), ($"{_gateway.BaseAddress}cashier/CSnosuchcashier", "Link not valid"), ($"{_gateway.BaseAddress}threeds/nosuchchallenge", "Link not valid") })
        {
            await page.GotoAsync(url);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await Layout.ShouldFitAsync(page);
        }

        // A 3DS payment of a merchant that names no page to return to ends on the gateway's result page.
        var order = "fit_3ds_" + Guid.NewGuid().ToString("N")[..12];
        var data = OrderRequests.Card(order, $"fit_3ds_{width}", "4000000000003220");
        data.Remove("frontCallbackUrl");
        var answer = await _gateway.Merchant.PostAsync("orderAndPay", data);
        await page.GotoAsync(answer.DataString("redirectUrl"));
        await page.ClickAsync("#pass");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Payment complete");
        await Layout.ShouldFitAsync(page);
    }, width);

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task DropInFrame_FitsTheMerchantPage_EmptyWithAnErrorAndAccepted(int width) => browser.RunAsync($"{nameof(DropInFrame_FitsTheMerchantPage_EmptyWithAnErrorAndAccepted)}_{width}", async page =>
    {
        await page.GotoAsync($"{_site.BaseUrl}/dropin?user=fit_dropin_{width}");
        var frame = page.FrameLocator("iframe[title='Card details']");
        await Assertions.Expect(frame.Locator("#submit")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);

        await frame.Locator("#cardIdentifierNo").FillAsync("4444333322221112");
        await frame.Locator("#submit").ClickAsync();
        await Assertions.Expect(frame.Locator("#error-cardIdentifierNo")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);

        await frame.Locator("#cardIdentifierNo").FillAsync("4242424242424242");
        await frame.Locator("#cardExpirationMonth").FillAsync("12");
        await frame.Locator("#cardExpirationYear").FillAsync("30");
        await frame.Locator("#cvv").FillAsync("123");
        await frame.Locator("#submit").ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("SUCCESS");
        await Layout.ShouldFitAsync(page);

        // The frame of a session that is not (or no longer) open.
        await page.GotoAsync($"{_gateway.BaseAddress}dropin/v1/frame?clientKey=CKnone&sessionKey=DSnone&origin={Uri.EscapeDataString(_site.BaseUrl)}");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Card entry unavailable");
        await Layout.ShouldFitAsync(page);
    }, width);

    /// <param name="country">The order's country; null sends none, so the cashier asks the shopper.</param>
    private async Task<(string Order, string Link)> HostedAsync(string user, decimal amount, string? country = "US")
    {
        var order = "hosted_" + Guid.NewGuid().ToString("N")[..12];
        var data = OrderRequests.Bind(order, user, amount: amount, subject: "Browser order");
        if (country is null) data.Remove("country");
        data["integrate"] = "Hosted_Checkout";
        data["frontCallbackUrl"] = _site.ReturnUrl;
        var detail = data["paymentDetail"]!.AsObject();
        detail.Remove("cardInfo");
        var answer = await _gateway.Merchant.PostAsync("orderAndPay", data);
        answer.DataString("status").ShouldBe(OrderStatuses.Pending, answer.ToString());
        return (order, answer.DataString("redirectUrl"));
    }

    private static async Task FillCardAsync(IPage page, string pan)
    {
        await page.FillAsync("#cardIdentifierNo", pan);
        await page.FillAsync("#cardHolderFullName", "Web Buyer");
        await page.FillAsync("#cardExpirationMonth", "12");
        await page.FillAsync("#cardExpirationYear", "30");
        await page.FillAsync("#cvv", "123");
    }
}
