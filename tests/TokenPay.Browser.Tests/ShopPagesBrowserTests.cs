using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenPay.Protocol;

namespace TokenPay.Browser.Tests;

/// <summary>
/// The shop's pages as a person sees them, at laptop and phone widths: an empty card form is refused with
/// hints before any order exists; the operator's result says what happened and marks a replay; a removed
/// card no longer says "top-ups allowed"; the wallet table fits its box.
/// </summary>
public sealed class ShopPagesBrowserTests(BrowserFixture browser) : ShopBrowserTest(browser)
{
    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task EmptyCardForm_RefusedWithHints_NoOrder(int width) => Fixture.RunAsync($"{nameof(EmptyCardForm_RefusedWithHints_NoOrder)}_{width}", async page =>
    {
        await SignInAsync(page, $"empty{width}");
        await page.FillAsync("#cardHolderFullName", "Kept Name");
        await page.ClickAsync("#buy");

        await Assertions.Expect(page.Locator("#card-refused")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#hint-cardIdentifierNo")).ToHaveTextAsync("Enter the card number.");
        await Assertions.Expect(page.Locator("#hint-cvv")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cardHolderFullName")).ToHaveValueAsync("Kept Name");
        (await Gateway.ScalarAsync("SELECT COUNT(*) FROM orders")).ShouldBe(0);
    }, width);

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task OperatorReplay_RemovedCardLabel_WalletFits(int width) => Fixture.RunAsync($"{nameof(OperatorReplay_RemovedCardLabel_WalletFits)}_{width}", async page =>
    {
        var user = $"replay{width}";
        await SignInAsync(page, user);
        await page.FillAsync("#cardIdentifierNo", "4444333322221111");
        await page.FillAsync("#cardHolderFullName", "Rita Replay");
        await page.FillAsync("#cardExpirationMonth", "12");
        await page.FillAsync("#cardExpirationYear", "30");
        await page.FillAsync("#cvv", "123");
        await page.CheckAsync("#save");
        await page.ClickAsync("#buy");
        await Browser.WaitForUrlAsync(page, new Regex("/shop/return"));
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", OrderStatuses.Success);

        // The operator charges the card, then submits the same form again (same chargeId): a replay, charged once.
        await SignInOperatorAsync(page);
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/customers/{user}");
        await page.FillAsync("#amount", "3.10");
        var chargeId = await page.Locator("input[name=chargeId]").InputValueAsync();
        await page.ClickAsync("#charge");
        await Assertions.Expect(page.Locator("#charge-result")).ToHaveTextAsync("Charged 3.10 USD.");
        await Assertions.Expect(page.Locator("#charged-card")).ToContainTextAsync("444433******1111");
        (await page.Locator("#replay").CountAsync()).ShouldBe(0);
        var charged = await page.Locator("#order-number").InnerTextAsync();
        // The same form again (a double submit, a resubmitted page): the same chargeId.
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/customers/{user}");
        await page.Locator("input[name=chargeId]").EvaluateAsync("(input, id) => input.value = id", chargeId);
        await page.FillAsync("#amount", "3.10");
        await page.ClickAsync("#charge");
        await Assertions.Expect(page.Locator("#replay")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#charge-result")).ToHaveAttributeAsync("data-replayed", "true");
        (await Gateway.ScalarAsync($"SELECT COUNT(*) FROM orders WHERE user_id = '{user}' AND merchant_initiated = 1")).ShouldBe(1);

        // Part of the charge goes back from the payment's page.
        await page.ClickAsync("#order-number");
        await page.FillAsync("#refund-amount", "1.10");
        await page.ClickAsync("#refund");
        await Assertions.Expect(page.Locator("#refund-result")).ToHaveAttributeAsync("data-status", RefundStatuses.Pending);
        (await Gateway.ScalarAsync($"SELECT COUNT(*) FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.out_trade_no = '{charged}' AND r.amount_minor = 110")).ShouldBe(1);

        // A bad amount gets a person's message next to the field.
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/customers/{user}");
        await page.FillAsync("#amount", "five");
        await page.ClickAsync("#charge");
        await Assertions.Expect(page.Locator("#hint-amount")).ToHaveTextAsync("Enter the amount as a number such as 5.00.");
        await Assertions.Expect(page.Locator("#amount")).ToHaveValueAsync("five");

        // The shopper removes the card: it no longer says top-ups are allowed, and the table fits the page.
        await page.GotoAsync($"{Shop.BaseUrl}/shop/wallet");
        await Assertions.Expect(page.Locator("tr.card .mit")).ToHaveTextAsync("top-ups allowed");
        await page.ClickAsync("tr.card button.remove");
        await Assertions.Expect(page.Locator("tr.card .status")).ToHaveTextAsync(TokenStatuses.Deleted);
        await Assertions.Expect(page.Locator("tr.card .mit")).ToHaveTextAsync("");
        var fits = await page.EvaluateAsync<bool>("() => { const t = document.getElementById('wallet'); return t.scrollWidth <= t.parentElement.clientWidth && document.documentElement.scrollWidth <= window.innerWidth; }");
        fits.ShouldBeTrue($"the wallet table overflows at {width} px");
    }, width);

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task WalletDeclineAndOperatorPages_FitTheWidth_AndWordsStayWhole(int width) => Fixture.RunAsync($"{nameof(WalletDeclineAndOperatorPages_FitTheWidth_AndWordsStayWhole)}_{width}", async page =>
    {
        var user = $"fit{width}";
        await SignInAsync(page, user);
        await Layout.ShouldFitAsync(page);
        // A Mastercard (the longest brand) saved for later, and a Visa saved with a payment.
        await page.GotoAsync($"{Shop.BaseUrl}/shop/wallet");
        await FillCardAsync(page, "save-", "5555555555554444");
        await page.CheckAsync("#save-consent");
        await page.ClickAsync("#save-submit");
        await Assertions.Expect(page.Locator("tr.card")).ToHaveCountAsync(1);
        await page.GotoAsync($"{Shop.BaseUrl}/");
        await FillCardAsync(page, "", "4444333322221111");
        await page.CheckAsync("#save");
        await page.ClickAsync("#buy");
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", OrderStatuses.Success);

        await page.GotoAsync($"{Shop.BaseUrl}/shop/wallet");
        await Assertions.Expect(page.Locator("tr.card")).ToHaveCountAsync(2);
        await Layout.ShouldFitAsync(page);
        // The expiry as the card shows it and the card form asks for it.
        await Assertions.Expect(page.Locator("tr.card", new() { HasText = "MASTERCARD" }).Locator(".expiry")).ToHaveTextAsync("12/30");
        await Assertions.Expect(page.Locator("tr.card", new() { HasText = "VISA" }).Locator(".expiry")).ToHaveTextAsync("12/30");

        // A payment the bank declines: the return page says why.
        await page.GotoAsync($"{Shop.BaseUrl}/");
        await FillCardAsync(page, "", "4000000000000069");
        await page.ClickAsync("#buy");
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", OrderStatuses.Failed);
        await Layout.ShouldFitAsync(page);

        // Another shopper saves a card that every later charge declines; the operator charges it and opens its attempts.
        var declining = $"mit{width}";
        await SignInAsync(page, declining);
        await FillCardAsync(page, "", "4000000000000341");
        await page.CheckAsync("#save");
        await page.ClickAsync("#buy");
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", OrderStatuses.Success);
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/login");
        await Layout.ShouldFitAsync(page);
        await page.FillAsync("#operator-user", "operator");
        await page.FillAsync("#operator-password", MerchantHost.OperatorPassword);
        await page.ClickAsync("#operator-signin");
        await Layout.ShouldFitAsync(page);
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/customers/{declining}");
        await page.FillAsync("#amount", "5.00");
        await page.ClickAsync("#charge");
        await Assertions.Expect(page.Locator("#charge-result")).ToHaveAttributeAsync("data-status", OrderStatuses.Failed);
        await Layout.ShouldFitAsync(page);
        await page.ClickAsync("text=Attempts and retries");
        await Assertions.Expect(page.Locator("#attempts tr[data-attempt]")).ToHaveCountAsync(1);
        await Layout.ShouldFitAsync(page);
    }, width);

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task SignInDropinAndResultPages_FitTheWidth_EmptyWithAnErrorAndAtTheEnd(int width) => Fixture.RunAsync($"{nameof(SignInDropinAndResultPages_FitTheWidth_EmptyWithAnErrorAndAtTheEnd)}_{width}", async page =>
    {
        // Signed out: the shop's front, the sign-in, and a name it refuses.
        await page.GotoAsync($"{Shop.BaseUrl}/");
        await Assertions.Expect(page.Locator("#signin-link")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
        await page.ClickAsync("#signin-link");
        await Layout.ShouldFitAsync(page);
        await page.FillAsync("#user", "not a name!");
        await page.ClickAsync("#signin");
        await Assertions.Expect(page.Locator("#signin-error")).ToHaveTextAsync("Enter a name of 1 to 64 letters, digits or . _ - @.");
        await Assertions.Expect(page.Locator("#user")).ToHaveValueAsync("not a name!");
        await Assertions.Expect(page.Locator("#user")).ToHaveAttributeAsync("aria-invalid", "true");
        await Layout.ShouldFitAsync(page);

        // The Drop-in route, saving the card: the shop's page with the gateway's frame, empty, with an error, and the result.
        var user = $"dropinfit{width}";
        await SignInAsync(page, user);
        await page.CheckAsync("input[name=route][value=dropin]");
        await page.CheckAsync("#save");
        await page.ClickAsync("#buy");
        var frame = page.FrameLocator("iframe[title='Card details']");
        await Assertions.Expect(frame.Locator("#submit")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
        await frame.Locator("#cardIdentifierNo").FillAsync("5555555555554445");
        await frame.Locator("#submit").ClickAsync();
        await Assertions.Expect(frame.Locator("#error-cardIdentifierNo")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
        await frame.Locator("#cardIdentifierNo").FillAsync("5555555555554444");
        await frame.Locator("#cardExpirationMonth").FillAsync("12");
        await frame.Locator("#cardExpirationYear").FillAsync("30");
        await frame.Locator("#cvv").FillAsync("123");
        await frame.Locator("#submit").ClickAsync();
        await Browser.WaitForUrlAsync(page, new Regex("/shop/return"));
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", OrderStatuses.Success);
        await Layout.ShouldFitAsync(page);
        await page.GotoAsync($"{Shop.BaseUrl}/shop/return?order=shop_nosuchorder");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Unknown order");
        await Layout.ShouldFitAsync(page);

        // Saving a card for later: refused with hints, then declined by the bank.
        await page.GotoAsync($"{Shop.BaseUrl}/shop/wallet");
        await page.ClickAsync("#save-submit");
        await Assertions.Expect(page.Locator("#save-refused")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
        await FillCardAsync(page, "save-", "4000000000000069");
        await page.CheckAsync("#save-consent");
        await page.ClickAsync("#save-submit");
        await Assertions.Expect(page.Locator("#save-result")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
    }, width);

    private static async Task FillCardAsync(IPage page, string idPrefix, string pan)
    {
        await page.FillAsync($"#{idPrefix}cardIdentifierNo", pan);
        await page.FillAsync($"#{idPrefix}cardHolderFullName", "Fay Fit");
        await page.FillAsync($"#{idPrefix}cardExpirationMonth", "12");
        await page.FillAsync($"#{idPrefix}cardExpirationYear", "30");
        await page.FillAsync($"#{idPrefix}cvv", "123");
    }

    [BrowserFact]
    public Task SaveACardForLater_With3ds_NoPayment_ThenTheWalletShowsIt() => Fixture.RunAsync(nameof(SaveACardForLater_With3ds_NoPayment_ThenTheWalletShowsIt), async page =>
    {
        await SignInAsync(page, "saver");
        await page.GotoAsync($"{Shop.BaseUrl}/shop/wallet");
        await page.FillAsync("#save-cardIdentifierNo", "4000000000003220");
        await page.FillAsync("#save-cardHolderFullName", "Sam Saver");
        await page.FillAsync("#save-cardExpirationMonth", "12");
        await page.FillAsync("#save-cardExpirationYear", "30");
        await page.FillAsync("#save-cvv", "123");
        await page.CheckAsync("#save-consent");
        await page.ClickAsync("#save-submit");

        await Browser.WaitForUrlAsync(page, new Regex("/threeds/"));
        await page.ClickAsync("#pass");
        await Browser.WaitForUrlAsync(page, new Regex("/shop/wallet$"));

        await Assertions.Expect(page.Locator("tr.card .masked")).ToHaveTextAsync("400000******3220");
        await Assertions.Expect(page.Locator("tr.card .mit")).ToHaveTextAsync("top-ups allowed");
        (await Gateway.ScalarAsync("SELECT COUNT(*) FROM orders WHERE user_id = 'saver' AND amount_minor > 0")).ShouldBe(0, "nothing was paid");
    });
}

/// <summary>A browser theory; skipped (with the reason) only outside CI when Chromium is missing.</summary>
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute() => Skip = Browser.SkipReason;
}
