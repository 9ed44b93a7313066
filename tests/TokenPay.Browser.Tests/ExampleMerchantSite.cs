using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenPay.Browser.Tests;

/// <summary>
/// A small merchant site on its own origin: the page customers return to, and a checkout page that uses
/// the gateway's Drop-in component. Its server holds the merchant key; the page only ever sees the
/// one-time payment token, which it hands back to the server to pay with (bind only, for later MIT).
/// </summary>
public sealed class ExampleMerchantSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ExampleMerchantSite(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string ReturnUrl => $"{BaseUrl}/return";

    public static async Task<ExampleMerchantSite> StartAsync(GatewayHost gateway)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        app.MapGet("/return", () => Results.Content("<!doctype html><h1 id=\"back\">Back at the shop</h1>", "text/html"));

        app.MapGet("/dropin", async (string user) =>
        {
            var session = await gateway.Merchant.PostAsync("applyDropinSession", new JsonObject
            {
                ["userId"] = user, ["currency"] = "USD", ["country"] = "US", ["totalAmount"] = 0, ["mitType"] = "UNSCHDULED", ["tokenForFutureUse"] = true, ["componentList"] = new JsonArray("CARD"),
            });
            var clientKey = session.DataString("clientKey");
            var sessionKey = session.DataString("sessionKey");
            var html = $$"""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Save a card</title><style>#result{overflow-wrap:anywhere}</style></head><body><main>
                <h1>Save a card for top-ups</h1>
                <div id="card"></div>
                <p id="result"></p></main>
                <script src="{{gateway.BaseAddress}}dropin/v1/dropin.js"></script>
                <script>
                  TokenPayDropin.mount("#card", {
                    clientKey: "{{clientKey}}",
                    sessionKey: "{{sessionKey}}",
                    onPaymentToken: function (t) {
                      fetch("/dropin/pay", { method: "POST", headers: { "Content-Type": "application/json" },
                        body: JSON.stringify({ paymentToken: t.paymentToken, sessionKey: "{{sessionKey}}", user: "{{user}}" }) })
                        .then(function (r) { return r.json(); })
                        .then(function (r) { document.getElementById("result").textContent = r.status + " " + r.paymentTokenId + " " + t.maskedCard; });
                    },
                    onError: function (e) { document.getElementById("result").textContent = "error " + e.message; }
                  });
                </script></body></html>
                """;
            return Results.Content(html, "text/html");
        });

        app.MapPost("/dropin/pay", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            var user = body.GetProperty("user").GetString()!;
            var outTradeNo = "dropin_" + Guid.NewGuid().ToString("N")[..12];
            var data = OrderRequests.Bind(outTradeNo, user, amount: 0m);
            var detail = data["paymentDetail"]!.AsObject();
            detail.Remove("cardInfo");
            detail["paymentToken"] = body.GetProperty("paymentToken").GetString();
            detail["sessionKey"] = body.GetProperty("sessionKey").GetString();
            var paid = await gateway.Merchant.PostAsync("orderAndPay", data);
            var query = await gateway.Merchant.QueryAsync(outTradeNo);
            var token = query.Data.GetProperty("paymentDetails")[0].TryGetProperty("paymentTokenID", out var t) ? t.GetString() : null;
            return Results.Json(new { status = paid.Code == "APPLY_SUCCESS" ? paid.DataString("status") : paid.Code, paymentTokenId = token });
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ExampleMerchantSite(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
