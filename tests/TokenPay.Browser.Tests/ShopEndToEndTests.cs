using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenPay.Protocol;

namespace TokenPay.Browser.Tests;

/// <summary>
/// The whole story in a real browser: buy with a 3DS card and consent to save it, pass 3DS, return to the
/// shop; the wallet shows the masked card once the notification arrives; an operator MIT succeeds with no
/// browser; the user removes the card; a further MIT is refused and nothing is charged.
/// </summary>
public sealed class ShopEndToEndTests(BrowserFixture browser) : ShopBrowserTest(browser)
{
    [BrowserFact]
    public Task BuySaveWith3ds_ThenMit_ThenRemove_ThenMitRefused() => Fixture.RunAsync(nameof(BuySaveWith3ds_ThenMit_ThenRemove_ThenMitRefused), async page =>
    {
        await SignInAsync(page, "zoe");
        await page.FillAsync("#cardIdentifierNo", "4000000000003220");
        await page.FillAsync("#cardHolderFullName", "Zoe Shopper");
        await page.FillAsync("#cardExpirationMonth", "12");
        await page.FillAsync("#cardExpirationYear", "30");
        await page.FillAsync("#cvv", "123");
        await page.CheckAsync("#save");
        await page.ClickAsync("#buy");

        await Browser.WaitForUrlAsync(page, new Regex("/threeds/"));
        await page.ClickAsync("#pass");
        await Browser.WaitForUrlAsync(page, new Regex("/shop/return"));
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", "SUCCESS");

        // The wallet fills from the notification; reload until it has arrived (bounded: the whole suite shares 2 cores).
        await page.ClickAsync("#wallet-link");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await page.Locator("tr.card").CountAsync() == 0 && waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
            await page.ReloadAsync();
        }

        await Assertions.Expect(page.Locator("tr.card .masked")).ToHaveTextAsync("400000******3220");
        (await page.ContentAsync()).ShouldNotContain("4000000000003220");

        // An operator MIT of another amount, no browser involved.
        var mit = await ChargeAsync("e2e-mit-1", 4.20m);
        mit.GetProperty("status").GetString().ShouldBe(OrderStatuses.Success);

        // The user removes the card.
        await page.ClickAsync("tr.card button.remove");
        await Assertions.Expect(page.Locator("tr.card .status")).ToHaveTextAsync(TokenStatuses.Deleted);

        var ordersBefore = await Gateway.ScalarAsync("SELECT COUNT(*) FROM orders");
        var refused = await ChargeAsync("e2e-mit-2", 4.20m);
        refused.GetProperty("status").GetString().ShouldBe("REFUSED");
        (await Gateway.ScalarAsync("SELECT COUNT(*) FROM orders")).ShouldBe(ordersBefore, "nothing was charged");
    });

    [BrowserFact]
    public Task ShopDropinRoute_SavesCardThroughTheComponent() => Fixture.RunAsync(nameof(ShopDropinRoute_SavesCardThroughTheComponent), async page =>
    {
        await SignInAsync(page, "yuki");
        await page.CheckAsync("input[name=route][value=dropin]");
        await page.CheckAsync("#save");
        await page.ClickAsync("#buy");

        var frame = page.FrameLocator("iframe[title='Card details']");
        await frame.Locator("#cardIdentifierNo").FillAsync("5555555555554444");
        await frame.Locator("#cardExpirationMonth").FillAsync("12");
        await frame.Locator("#cardExpirationYear").FillAsync("30");
        await frame.Locator("#cvv").FillAsync("123");
        await frame.Locator("#submit").ClickAsync();

        await Browser.WaitForUrlAsync(page, new Regex("/shop/return"));
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", "SUCCESS");
        (await Gateway.Merchant.InquireTokensAsync("yuki", "tokenMit")).Data.GetProperty("tokenList")[0].GetProperty("brand").GetString().ShouldBe("MASTERCARD");
    });

    [BrowserFact]
    public Task ShopHostedRoute_PaysOnTheCashierAndReturns() => Fixture.RunAsync(nameof(ShopHostedRoute_PaysOnTheCashierAndReturns), async page =>
    {
        await SignInAsync(page, "xavi");
        await page.CheckAsync("input[name=route][value=hosted]");
        await page.ClickAsync("#buy");

        await Browser.WaitForUrlAsync(page, new Regex("/cashier/"));
        await Assertions.Expect(page.Locator("#cardIdentifierNo")).ToBeVisibleAsync();
        (await page.Locator("#consent").CountAsync()).ShouldBe(0, "no card is saved without consent");
        await page.FillAsync("#cardIdentifierNo", "4242424242424242");
        await page.FillAsync("#cardExpirationMonth", "12");
        await page.FillAsync("#cardExpirationYear", "30");
        await page.FillAsync("#cvv", "123");
        await page.ClickAsync("#submit");

        await Browser.WaitForUrlAsync(page, new Regex("/shop/return"));
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", "SUCCESS");
        (await Gateway.Merchant.InquireTokensAsync("xavi")).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    });

    private async Task<JsonElement> ChargeAsync(string chargeId, decimal amount)
    {
        using var response = await Shop.Api.PostAsync("/api/charges", JsonContent(new { userId = "zoe", amount, currency = "USD", reason = "Top-up", chargeId }));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static StringContent JsonContent(object value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
