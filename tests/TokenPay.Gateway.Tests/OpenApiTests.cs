using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenPay.Gateway.Tests;

/// <summary>The gateway's OpenAPI document describes every PayerMax operation with its envelope and answer, and the admin API.</summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task DescribingTheBody_DoesNotMakeRoutingPickyAboutContentType(string? contentType)
    {
        var body = _host.Merchant.Envelope(new System.Text.Json.Nodes.JsonObject { ["outTradeNo"] = "no_such_order" });
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/aggregate-pay/api/gateway/orderQuery") { Content = content };
        request.Headers.TryAddWithoutValidation("sign", _host.Merchant.Sign(body));
        using var answer = await _host.Http.SendAsync(request);

        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await answer.Content.ReadAsStringAsync()).ShouldContain("ORDER_NOT_EXIST");
    }

    [Fact]
    public async Task TheDocument_ListsEveryApiOperationWithItsTypes_AndTheAdminApi_AndTheReferenceIsServed()
    {
        using var document = JsonDocument.Parse(await _host.Http.GetStringAsync("/openapi/gateway.json"));
        var root = document.RootElement;
        var paths = root.GetProperty("paths");
        var schemas = root.GetProperty("components").GetProperty("schemas");

        root.GetProperty("openapi").GetString().ShouldStartWith("3.");
        string[] operations = ["orderAndPay", "orderQuery", "inquirePaymentToken", "removePaymentToken", "applyDropinSession", "refund", "refundQuery", "applyPaymentToken", "InquireApplyRequest"];
        foreach (var operation in operations)
        {
            var post = paths.GetProperty($"/aggregate-pay/api/gateway/{operation}").GetProperty("post");
            post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString().ShouldStartWith("#/components/schemas/RequestEnvelopeOf");
            post.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString().ShouldStartWith("#/components/schemas/ApiResponseOf");
        }

        schemas.GetProperty("RequestEnvelopeOfOrderAndPayRequest").GetProperty("properties").GetProperty("data").ValueKind.ShouldBe(JsonValueKind.Object);
        schemas.GetProperty("OrderView").GetProperty("properties").TryGetProperty("declineAdvice", out _).ShouldBeTrue();
        schemas.GetProperty("PaymentDetailView").GetProperty("properties").TryGetProperty("paymentTokenID", out _).ShouldBeTrue("PayerMax's spelling");
        paths.TryGetProperty("/admin/notifications", out _).ShouldBeTrue();

        (await _host.Http.GetAsync("/openapi/unknown.json")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var reference = await _host.Http.GetAsync("/docs/");
        reference.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reference.Content.ReadAsStringAsync()).ShouldContain("\"url\":\"openapi/gateway.json\"");
    }

    [Fact]
    public async Task Reference_UsesOnlyLocalAssets_AndNoVendorButtons()
    {
        var html = await _host.Http.GetStringAsync("/docs/");

        // Every script and stylesheet from this server; no fonts, AI chat, MCP, deploy toolbar or telemetry from the vendor.
        Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ShouldAllBe(url => !url.Contains("://") && !url.StartsWith("//"));
        html.ShouldContain("\"withDefaultFonts\":false");
        html.ShouldContain("\"hideClientButton\":true");
        html.ShouldContain("\"showDeveloperTools\":\"never\"");
        html.ShouldContain("\"agent\":{\"disabled\":true}");
        using var script = await _host.Http.GetAsync(Regex.Match(html, "src=\"([^\"]+\\.js)\"").Groups[1].Value is var js && js.StartsWith('/') ? js : "/docs/" + js);
        script.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
