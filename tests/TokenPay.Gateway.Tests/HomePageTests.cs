using System.Net;

namespace TokenPay.Gateway.Tests;

/// <summary>A person who opens the gateway in a browser learns what it is and where its contract is.</summary>
public class HomePageTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Root_SaysWhatItIsAndLinksTheKeyAndDocs()
    {
        using var response = await fixture.Host.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("TokenPay gateway");
        html.ShouldContain("href=\"/platform-public-key\"");
        html.ShouldContain("docs/protocol.md");
        html.ShouldContain("rel=\"icon\"");
    }

    [Fact]
    public async Task Root_ListsEveryApi_AndLinksTheReferenceAndTheConsole()
    {
        var html = await fixture.Host.Http.GetStringAsync("/");

        foreach (var api in new[] { "orderAndPay", "orderQuery", "inquirePaymentToken", "removePaymentToken", "applyDropinSession", "refund", "refundQuery", "applyPaymentToken", "InquireApplyRequest" })
        {
            html.ShouldContain($"<code>{api}</code>");
        }

        html.ShouldContain("href=\"/docs\"");
        html.ShouldContain("href=\"/admin/console/\"");
    }

    [Fact]
    public async Task Favicon_Served()
    {
        using var response = await fixture.Host.Http.GetAsync("/favicon.ico");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("image/svg+xml");
    }
}
