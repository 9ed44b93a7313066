using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenPay.Merchant.Tests;

/// <summary>The merchant service's OpenAPI document describes its operator API.</summary>
public sealed class OpenApiTests : IAsyncLifetime
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

    [Fact]
    public async Task TheDocument_DescribesTheOperatorApi_WithRequestAndAnswerTypes()
    {
        using var document = JsonDocument.Parse(await _merchant.Http.GetStringAsync("/openapi/merchant.json"));
        var paths = document.RootElement.GetProperty("paths");
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var charge = paths.GetProperty("/api/charges").GetProperty("post");
        charge.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString().ShouldBe("#/components/schemas/ChargeRequest");
        charge.GetProperty("responses").TryGetProperty("409", out _).ShouldBeTrue();
        paths.GetProperty("/api/charges/{chargeId}").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString().ShouldBe("#/components/schemas/ChargeHistory");
        // The card to charge, optional: without it the user's newest card that allows charges without them.
        schemas.GetProperty("ChargeRequest").GetProperty("properties").TryGetProperty("paymentTokenId", out _).ShouldBeTrue();
        schemas.GetProperty("ChargeAttempt").GetProperty("properties").TryGetProperty("merchantAdviceCode", out _).ShouldBeTrue();
        foreach (var path in (string[])["/api/refunds", "/api/refunds/{refundId}", "/api/payments/{outTradeNo}", "/api/wallet/{userId}", "/api/wallet/{userId}/sync", "/api/wallet/{userId}/{paymentTokenId}", "/api/reconcile"])
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
        }
    }

    [Fact]
    public async Task Reference_UsesOnlyLocalAssets_AndNoVendorButtons()
    {
        var html = await _merchant.Http.GetStringAsync("/docs/");

        Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ShouldAllBe(url => !url.Contains("://") && !url.StartsWith("//"));
        html.ShouldContain("\"withDefaultFonts\":false");
        html.ShouldContain("\"hideClientButton\":true");
        html.ShouldContain("\"showDeveloperTools\":\"never\"");
        html.ShouldContain("\"agent\":{\"disabled\":true}");
    }
}
