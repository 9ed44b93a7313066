using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenPay.Protocol;

namespace TokenPay.Browser.Tests;

/// <summary>
/// The operator's dashboard as a person walks it, at phone and laptop widths: sign in (a wrong password keeps
/// the user name), customers, a customer, charge the card chosen (not the newest), the result, payments, the
/// payment, a refund; every mistake comes back in place with what was typed, and every page fits and passes axe.
/// </summary>
public sealed class OperatorDashboardBrowserTests(BrowserFixture browser) : ShopBrowserTest(browser)
{
    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task CustomersToChargeToRefund_ChargesTheChosenCard_AndMistakesStayInPlace(int width) => Fixture.RunAsync($"{nameof(CustomersToChargeToRefund_ChargesTheChosenCard_AndMistakesStayInPlace)}_{width}", async page =>
    {
        // A shopper pays and saves a Visa, then saves a Mastercard for later: the Mastercard is the newest card.
        var user = $"dash{width}";
        await SignInAsync(page, user);
        await FillCardAsync(page, "", "4444333322221111");
        await page.CheckAsync("#save");
        await page.ClickAsync("#buy");
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", OrderStatuses.Success);
        await page.GotoAsync($"{Shop.BaseUrl}/shop/wallet");
        await FillCardAsync(page, "save-", "5555555555554444");
        await page.CheckAsync("#save-consent");
        await page.ClickAsync("#save-submit");
        await Assertions.Expect(page.Locator("tr.card")).ToHaveCountAsync(2);

        // A wrong password: the form again, the user name kept, the error said.
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/login");
        await page.FillAsync("#operator-user", "operator");
        await page.FillAsync("#operator-password", "not the password");
        await page.ClickAsync("#operator-signin");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("The user or the password is wrong.");
        await Assertions.Expect(page.Locator("#operator-user")).ToHaveValueAsync("operator");
        await Layout.ShouldFitAsync(page);
        await page.FillAsync("#operator-password", MerchantHost.OperatorPassword);
        await page.ClickAsync("#operator-signin");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Operator");
        await Layout.ShouldFitAsync(page);

        // Customers → the customer.
        await page.ClickAsync("#operator-nav >> text=Customers");
        await Assertions.Expect(page.Locator($"#customers tr[data-user='{user}']")).ToBeVisibleAsync();
        await Layout.ShouldFitAsync(page);
        await page.ClickAsync($"#customers tr[data-user='{user}'] a");
        await Assertions.Expect(page.Locator("#cards tbody tr")).ToHaveCountAsync(2);
        await Layout.ShouldFitAsync(page);

        // The older card, chosen; an amount with too many decimals comes back with the choice and the amount kept.
        var visa = page.Locator("#charge-form label", new() { HasText = "444433******1111" }).Locator("input");
        await visa.CheckAsync();
        await page.FillAsync("#amount", "10.001");
        await page.ClickAsync("#charge");
        await Assertions.Expect(page.Locator("#hint-amount")).ToHaveTextAsync("amount must be positive with at most 2 decimals for USD.");
        await Assertions.Expect(page.Locator("#amount")).ToHaveValueAsync("10.001");
        await Assertions.Expect(page.Locator("#amount")).ToHaveAttributeAsync("aria-describedby", "hint-amount");
        await Assertions.Expect(visa).ToBeCheckedAsync();
        await Layout.ShouldFitAsync(page);
        await page.FillAsync("#amount", "4.00");
        await page.ClickAsync("#charge");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Charged");
        await Assertions.Expect(page.Locator("#charged-card")).ToContainTextAsync("444433******1111");
        await Layout.ShouldFitAsync(page);
        var visaToken = await page.Locator("#charged-card").GetAttributeAsync("data-token");
        (await Gateway.ScalarAsync($"SELECT COUNT(*) FROM orders WHERE user_id = '{user}' AND merchant_initiated = 1 AND payment_token_id = '{visaToken}'")).ShouldBe(1);
        (await Gateway.ScalarAsync($"SELECT COUNT(*) FROM orders WHERE user_id = '{user}' AND merchant_initiated = 1")).ShouldBe(1, "only the chosen card was charged");

        // Payments, filtered to this customer's charges → the payment.
        await page.ClickAsync("#operator-nav >> text=Payments");
        await page.SelectOptionAsync("#filter-kind", "MIT");
        await page.FillAsync("#filter-user", user);
        await page.ClickAsync("#filter");
        await Browser.WaitForUrlAsync(page, new Regex("kind=MIT"));
        await Assertions.Expect(page.Locator("#payments tbody tr")).ToHaveCountAsync(1);
        await Layout.ShouldFitAsync(page);
        await page.ClickAsync("#payments tbody tr a");
        await Assertions.Expect(page.Locator("#payment-status")).ToHaveTextAsync("paid");
        await Assertions.Expect(page.Locator("#refund-amount")).ToHaveValueAsync("4.00");
        await Layout.ShouldFitAsync(page);

        // More than was paid: the form again with the amount and reason kept; then a part goes back.
        await page.FillAsync("#refund-amount", "9.00");
        await page.FillAsync("#refund-reason", "Damaged in transit");
        await page.ClickAsync("#refund");
        await Assertions.Expect(page.Locator("#hint-refund-amount")).ToContainTextAsync("Not refunded");
        await Assertions.Expect(page.Locator("#refund-amount")).ToHaveValueAsync("9.00");
        await Assertions.Expect(page.Locator("#refund-reason")).ToHaveValueAsync("Damaged in transit");
        await Layout.ShouldFitAsync(page);
        await page.FillAsync("#refund-amount", "1.00");
        await page.ClickAsync("#refund");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Refund pending");
        await Assertions.Expect(page.Locator("#refund-result")).ToHaveAttributeAsync("data-status", RefundStatuses.Pending);
        await Layout.ShouldFitAsync(page);
        await page.ClickAsync("#back-to-payment");
        await Assertions.Expect(page.Locator("#refunds tbody tr[data-status]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#refund-amount")).ToHaveValueAsync("3.00");
        await Layout.ShouldFitAsync(page);

        // Charges → the charge's attempts.
        await page.ClickAsync("#operator-nav >> text=Charges");
        await Assertions.Expect(page.Locator("#charges tbody tr")).ToHaveCountAsync(1);
        await Layout.ShouldFitAsync(page);
        await page.ClickAsync("#charges tbody tr a");
        await Assertions.Expect(page.Locator("#attempts tr[data-attempt]")).ToHaveCountAsync(1);
        await Layout.ShouldFitAsync(page);
    }, width);

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public Task ACustomerWithoutACard_IsToldSo_AndTheListsFit(int width) => Fixture.RunAsync($"{nameof(ACustomerWithoutACard_IsToldSo_AndTheListsFit)}_{width}", async page =>
    {
        // A shopper who paid without saving the card: a customer with no card to charge.
        var user = $"nocard{width}";
        await SignInAsync(page, user);
        await FillCardAsync(page, "", "4444333322221111");
        await page.ClickAsync("#buy");
        await Assertions.Expect(page.Locator("#order-status")).ToHaveAttributeAsync("data-status", OrderStatuses.Success);

        await SignInOperatorAsync(page);
        await page.FillAsync("#find-user", user);
        await page.ClickAsync("#find-customer button");
        await page.ClickAsync($"#customers tr[data-user='{user}'] a");
        await Assertions.Expect(page.Locator("#no-card")).ToContainTextAsync("nothing can be charged");
        (await page.Locator("#charge-form").CountAsync()).ShouldBe(0);
        await Layout.ShouldFitAsync(page);

        // A filter the list does not know: said at the field.
        await page.GotoAsync($"{Shop.BaseUrl}/shop/operator/charges?status=PAID");
        await Assertions.Expect(page.Locator("#hint-filter-status")).ToHaveTextAsync("Choose a status from the list.");
        await Layout.ShouldFitAsync(page);
    }, width);

    private static async Task FillCardAsync(IPage page, string idPrefix, string pan)
    {
        await page.FillAsync($"#{idPrefix}cardIdentifierNo", pan);
        await page.FillAsync($"#{idPrefix}cardHolderFullName", "Dana Dash");
        await page.FillAsync($"#{idPrefix}cardExpirationMonth", "12");
        await page.FillAsync($"#{idPrefix}cardExpirationYear", "30");
        await page.FillAsync($"#{idPrefix}cvv", "123");
    }
}
