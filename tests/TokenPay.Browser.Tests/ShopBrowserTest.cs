using Microsoft.Playwright;

namespace TokenPay.Browser.Tests;

/// <summary>A gateway and the demo shop for a browser test class, and the shopper's sign-in.</summary>
public abstract class ShopBrowserTest(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    protected BrowserFixture Fixture { get; } = browser;

    protected GatewayHost Gateway { get; private set; } = null!;

    protected MerchantHost Shop { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Browser.SkipReason is not null)
        {
            return;
        }

        Gateway = await GatewayHost.StartAsync();
        Shop = await MerchantHost.StartAsync(Gateway);
    }

    public async Task DisposeAsync()
    {
        if (Shop is not null)
        {
            await Shop.DisposeAsync();
            await Gateway.DisposeAsync();
        }
    }

    protected async Task SignInAsync(IPage page, string user)
    {
        await page.GotoAsync($"{Shop.BaseUrl}/shop/signin");
        await page.FillAsync("#user", user);
        await page.ClickAsync("#signin");
        await Assertions.Expect(page.Locator("#signed-in")).ToHaveTextAsync(user);
    }

    /// <summary>Signs the operator in with the test password; the page is then the dashboard.</summary>
    protected async Task SignInOperatorAsync(IPage page)
    {
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/login");
        await page.FillAsync("#operator-user", "operator");
        await page.FillAsync("#operator-password", MerchantHost.OperatorPassword);
        await page.ClickAsync("#operator-signin");
    }
}
