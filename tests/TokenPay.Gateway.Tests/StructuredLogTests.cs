using System.Text.Json;

namespace TokenPay.Gateway.Tests;

/// <summary>A gateway process with ASP.NET Core's JSON console formatter and the request line on (README, "Configuration").</summary>
public sealed class StructuredLogTests
{
    [Fact]
    public async Task JsonConsoleLogs_OneRequestLinePerRequest_WithItsCode_AndNoQueryString()
    {
        var database = Path.Combine(Directory.CreateTempSubdirectory("tokenpay-json-log-").FullName, "gateway.db");
        await using var node = await GatewayProcess.StartAsync($"Data Source={database}", new Dictionary<string, string?>
        {
            ["Gateway:Storage:Provider"] = "Sqlite",
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:LogLevel:TokenPay.Gateway.Requests"] = "Information",
        });

        (await node.Merchant.QueryAsync("no_such_order")).Code.ShouldBe("ORDER_NOT_EXIST");
        (await node.Http.GetAsync("/healthz?dropinKey=secret-in-query")).EnsureSuccessStatusCode();

        // A request's line is written once its answer has gone, so the two (on two connections) may come in either order.
        var output = await Eventually.UntilAsync(() => Task.FromResult(node.Output),
            o => o.Contains("/healthz", StringComparison.Ordinal) && o.Contains("/orderQuery", StringComparison.Ordinal), "the request lines");
        var requests = output.Split('\n').Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(entry => entry.GetProperty("Category").GetString() == "TokenPay.Gateway.Requests")
            .Select(entry => entry.GetProperty("State"))
            .ToList();
        var query = requests.Single(r => r.GetProperty("Path").GetString() == "/aggregate-pay/api/gateway/orderQuery");
        query.GetProperty("Method").GetString().ShouldBe("POST");
        query.GetProperty("Status").GetInt32().ShouldBe(200);
        query.GetProperty("Code").GetString().ShouldBe("ORDER_NOT_EXIST");
        query.GetProperty("ElapsedMs").GetDouble().ShouldBeGreaterThan(0);
        requests.ShouldContain(r => r.GetProperty("Path").GetString() == "/healthz");
        output.ShouldNotContain("secret-in-query");
    }
}
