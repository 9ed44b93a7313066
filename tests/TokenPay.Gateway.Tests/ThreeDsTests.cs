using System.Net;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>The 3DS challenge round trip over HTTP: PENDING with a redirectUrl, a real page, one use, back to the merchant.</summary>
public class ThreeDsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string ChallengeCard = "4000000000003220";

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Challenge_Passed_OrderSucceedsTokenBoundBrowserReturned()
    {
        var user = GatewayFixture.NewId("u");
        var order = GatewayFixture.NewId("3ds");
        var answer = await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, user, ChallengeCard));
        answer.DataString("status").ShouldBe(OrderStatuses.Pending);
        var link = answer.DataString("redirectUrl");
        link.ShouldStartWith($"{Host.BaseAddress}threeds/");
        (await Host.Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);

        using var page = await Host.Http.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("Authenticate");
        html.ShouldContain("400000******3220");
        html.ShouldNotContain(ChallengeCard);
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
        page.Headers.CacheControl!.NoStore.ShouldBeTrue();

        using var submit = await SubmitAsync(link, "pass");
        submit.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        submit.Headers.Location!.ToString().ShouldBe("https://shop.example/return");

        var query = await Host.Merchant.QueryAsync(order);
        query.DataString("status").ShouldBe(OrderStatuses.Success);
        var token = query.Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
        (await Host.Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(1);

        // MIT on the same card is never challenged.
        var mit = await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("mit"), user, token));
        mit.DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task Challenge_Failed_OrderFailedNoToken()
    {
        var user = GatewayFixture.NewId("u");
        var order = GatewayFixture.NewId("3ds");
        var link = (await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, user, ChallengeCard))).DataString("redirectUrl");

        using var submit = await SubmitAsync(link, "fail");

        submit.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var query = await Host.Merchant.QueryAsync(order);
        query.DataString("status").ShouldBe(OrderStatuses.Failed);
        query.DataString("resultCode").ShouldBe(ResultCodes.AuthenticateFailed);
        (await Host.Merchant.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Challenge_LinkWorksOnce()
    {
        var order = GatewayFixture.NewId("3ds");
        var link = (await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, GatewayFixture.NewId("u"), ChallengeCard))).DataString("redirectUrl");
        using (await SubmitAsync(link, "pass"))
        {
        }

        using var second = await SubmitAsync(link, "fail");
        using var view = await Host.Http.GetAsync(link);

        second.StatusCode.ShouldBe(HttpStatusCode.Gone);
        view.StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await Host.Merchant.QueryAsync(order)).DataString("status").ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task Challenge_UnknownLink_NotFound()
    {
        using var view = await Host.Http.GetAsync("/threeds/made-up");

        view.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Challenge_NoOutcomeChosen_BadRequestAndLinkStillUsable()
    {
        var order = GatewayFixture.NewId("3ds");
        var link = (await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(order, GatewayFixture.NewId("u"), ChallengeCard))).DataString("redirectUrl");

        using var bad = await SubmitAsync(link, "maybe");
        using var good = await SubmitAsync(link, "pass");

        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        good.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task SubjectThreeDs_ChallengesAnyCard()
    {
        var answer = await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("3ds"), GatewayFixture.NewId("u"), subject: "3DS"));

        answer.DataString("status").ShouldBe(OrderStatuses.Pending);
        answer.DataString("redirectUrl").ShouldContain("/threeds/");
    }

    private Task<HttpResponseMessage> SubmitAsync(string link, string outcome) =>
        Host.Http.PostAsync(link, new FormUrlEncodedContent([new("outcome", outcome)]));
}
