using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace TokenPay.Merchant.Tests;

/// <summary>Bad input to the merchant's charge API: a JSON problem naming the field, never a 500, nothing charged.</summary>
public sealed class ChargeApiInputTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private MerchantHost _merchant = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync();
        _merchant = await MerchantHost.StartAsync(_gateway);
    }

    public async Task DisposeAsync()
    {
        await _merchant.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"userId":"u","amount":79228162514264337593543950335,"currency":"USD","reason":"r","chargeId":"c1"}""", "amount")]
    [InlineData("""{"userId":"u","amount":1e400,"currency":"USD","reason":"r","chargeId":"c1"}""", "amount")]
    [InlineData("""{"userId":"u","amount":"five","currency":"USD","reason":"r","chargeId":"c1"}""", "amount")]
    [InlineData("""{"userId":"u","amount":5.001,"currency":"USD","reason":"r","chargeId":"c1"}""", "amount")]
    [InlineData("""{"userId":"u","amount":5,"reason":"r","chargeId":"c1"}""", "currency")]
    [InlineData("""{"userId":"u","amount":5,"currency":"XXX","reason":"r","chargeId":"c1"}""", "currency")]
    [InlineData("""{"amount":5,"currency":"USD","reason":"r","chargeId":"c1"}""", "userId")]
    [InlineData("""{"userId":"u","amount":5,"currency":"USD","reason":"r"}""", "chargeId")]
    [InlineData("""{"userId":["u"],"amount":5,"currency":"USD","reason":"r","chargeId":"c1"}""", "userId")]
    [InlineData("""{"userId":"u",""", "body")]
    [InlineData("""[]""", "body")]
    [InlineData("""null""", "body")]
    public async Task BadCharge_ProblemNamingTheField(string body, string field)
    {
        using var response = await _merchant.Api.PostAsync("/api/charges", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["field"]!.GetValue<string>().ShouldBe(field);
        problem["detail"]!.GetValue<string>().ShouldNotContain("Parameter");
        (await _gateway.ScalarAsync("SELECT COUNT(*) FROM orders")).ShouldBe(0);
        (await _merchant.ScalarAsync("SELECT COUNT(*) FROM payments")).ShouldBe(0);
    }

    [Theory]
    [InlineData("/api/charges", """{"userId":"u""", "line 1, position 13")]
    [InlineData("/api/charges", "{\n  \"userId\": \"u\",\n  \"amount\": 5,,\n}", "line 3, position 15")]
    [InlineData("/api/refunds", """{"payment":"p1","amount":""", "line 1, position 26")]
    public async Task MalformedJson_NamesTheLineAndPosition_NotAField(string path, string body, string where)
    {
        using var response = await _merchant.Api.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["field"]!.GetValue<string>().ShouldBe("body");
        problem["detail"]!.GetValue<string>().ShouldStartWith($"The body is not valid JSON at {where}.");
    }

    [Fact]
    public async Task FormEncodedBody_415ProblemNamingJson()
    {
        using var response = await _merchant.Api.PostAsync("/api/charges", new FormUrlEncodedContent(new Dictionary<string, string> { ["userId"] = "u", ["amount"] = "5" }));

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["field"]!.GetValue<string>().ShouldBe("Content-Type");
        problem["detail"]!.GetValue<string>().ShouldContain("application/json");
        problem["detail"]!.GetValue<string>().ShouldContain("application/x-www-form-urlencoded");
    }
}
