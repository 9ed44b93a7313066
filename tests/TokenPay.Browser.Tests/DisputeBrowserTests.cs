using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TokenPay.Merchant.Tests;

namespace TokenPay.Browser.Tests;

/// <summary>
/// The operator answers a dispute case from its page, at phone and laptop widths: the disputes list, the case with its
/// deadline, a malformed evidence link kept in place with its problem, then the answer taken; every page fits and passes axe.
/// </summary>
public sealed class DisputeBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly CaseDesk _desk = new();
    private GatewayHost _gateway = null!;
    private MerchantHost _shop = null!;

    public async Task InitializeAsync()
    {
        if (Browser.SkipReason is not null)
        {
            return;
        }

        _gateway = await GatewayHost.StartAsync();
        _shop = await MerchantHost.StartAsync(_gateway, configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => _desk)));
    }

    public async Task DisposeAsync()
    {
        if (_shop is not null)
        {
            await _shop.DisposeAsync();
            await _gateway.DisposeAsync();
        }
    }

    [BrowserTheory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task TheOperator_AnswersACase_FromItsPage(int width)
    {
        var caseId = $"D2026112200000{width}";
        var view = CaseDesk.Case(caseId, "DISPUTE_INQUIRY", $"shop_dispute_{width}");
        _desk.Put(view);
        using (await CaseDesk.PostSignedAsync(_shop, CaseDesk.Notification(view)))
        {
        }

        await browser.RunAsync($"{nameof(TheOperator_AnswersACase_FromItsPage)}_{width}", async page =>
        {
            await page.GotoAsync($"{_shop.BaseUrl}/shop/operator/login");
            await page.FillAsync("#operator-user", "operator");
            await page.FillAsync("#operator-password", MerchantHost.OperatorPassword);
            await page.ClickAsync("#operator-signin");
            await page.ClickAsync("#operator-nav >> text=Disputes");
            await Assertions.Expect(page.Locator($"#disputes tr[data-case='{caseId}']")).ToContainTextAsync("answer by 2026-12-06");
            await Layout.ShouldFitAsync(page);

            await page.ClickAsync($"#disputes tr[data-case='{caseId}'] a");
            await Assertions.Expect(page.Locator("#deadline")).ToHaveTextAsync("Answer by the end of 2026-12-06 (UTC), or the case is lost.");
            await Layout.ShouldFitAsync(page);

            await page.FillAsync("#reply-text", "Delivered on 2026-11-20 and signed for by the cardholder.");
            await page.FillAsync("#reply-files", "https://shop.example/evidence/proof-of-delivery.pdf\nhttps://shop.example/evidence/notes.txt");
            await page.ClickAsync("#reply");
            await Assertions.Expect(page.Locator("#hint-reply-files")).ToContainTextAsync("https://shop.example/evidence/notes.txt is not an https link");
            await Assertions.Expect(page.Locator("#reply-text")).ToHaveValueAsync("Delivered on 2026-11-20 and signed for by the cardholder.");
            await Layout.ShouldFitAsync(page);

            await page.FillAsync("#reply-files", "https://shop.example/evidence/proof-of-delivery.pdf");
            await page.ClickAsync("#reply");
            await Assertions.Expect(page.Locator("#reply-result")).ToHaveTextAsync($"The answer to case {caseId} was taken and passed to the issuer.");
            await Assertions.Expect(page.Locator("#dispute-status")).ToHaveAttributeAsync("data-status", "DISPUTE_RECEIVED");
            await Assertions.Expect(page.Locator("#reply-form")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(2);
            await Layout.ShouldFitAsync(page);
        }, width);

        _desk.Replays.Count.ShouldBe(1);
    }
}
