using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// Every request example PayerMax prints in its token and MIT guides (Printed/payermax-printed-examples.json,
/// comments dropped) is accepted as printed. What the test changes, and only that, is what no merchant can send
/// as printed: the envelope's app, merchant and time; identifiers (order numbers and user ids, made unique here;
/// tokens and Drop-in keys, replaced by ones this gateway issued for that user); placeholder URLs with spaces;
/// masked or expired example cards. See <see cref="AsAMerchantWouldSend"/>.
/// </summary>
public sealed class PrintedExampleTests : IAsyncLifetime
{
    private const string TestCard = "4444333322221111";

    private sealed record Example(string Name, string Source, string Api, JsonObject Body);

    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> Names() => new(Examples().Select(e => e.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task PrintedExample_IsAcceptedAsPrinted(string name)
    {
        var example = Examples().Single(e => e.Name == name);
        var body = await AsAMerchantWouldSendAsync(example);

        var answer = await _host.Merchant.PostSignedAsync(example.Api, Encoding.UTF8.GetBytes(body.ToJsonString()));

        answer.Code.ShouldBe(ResultCodes.ApplySuccess, $"{example.Source}: {answer}");
        if (example.Api == "orderAndPay")
        {
            answer.DataString("status").ShouldBeOneOf(OrderStatuses.Success, OrderStatuses.Pending);
        }
    }

    [Fact]
    public void EveryExampleOfTheGuides_IsInTheFixture() => Examples().Count.ShouldBe(13);

    [Fact]
    public async Task HostedExampleWithoutCountry_TheCashierAsksTheShopper_AndTheOrderAndItsCardTakeTheChoice()
    {
        var example = Examples().Single(e => e.Name == "hosted-bind-and-pay");
        var body = await AsAMerchantWouldSendAsync(example);
        var outTradeNo = body["data"]!["outTradeNo"]!.GetValue<string>();
        var link = (await _host.Merchant.PostSignedAsync("orderAndPay", Encoding.UTF8.GetBytes(body.ToJsonString()))).DataString("redirectUrl");
        (await _host.Merchant.QueryAsync(outTradeNo)).DataString("country").ShouldBe(Countries.Unknown);

        var page = await _host.Http.GetStringAsync(link);
        page.ShouldContain("id=\"country\"");
        using var withoutCountry = await _host.Http.PostAsync(link, CashierForm(country: null));
        (await withoutCountry.Content.ReadAsStringAsync()).ShouldContain("id=\"error-country\"");
        withoutCountry.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        using var paid = await _host.Http.PostAsync(link, CashierForm(country: "DE"));

        paid.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var order = await _host.Merchant.QueryAsync(outTradeNo);
        order.DataString("status").ShouldBe(OrderStatuses.Success);
        order.DataString("country").ShouldBe("DE");
        var token = order.Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
        var user = body["data"]!["userId"]!.GetValue<string>();
        var mit = OrderRequests.Mit(GatewayFixture.NewId("m"), user, token);
        mit.Remove("country");
        (await _host.Merchant.PostAsync("orderAndPay", mit)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await _host.Merchant.QueryAsync(mit["outTradeNo"]!.GetValue<string>())).DataString("country").ShouldBe("DE");
    }

    [Fact]
    public async Task ApiBindingWithoutCountry_TakesTheIssuersCountry_OrMarksItUnknown()
    {
        var known = OrderRequests.Bind(GatewayFixture.NewId("b"), GatewayFixture.NewId("u"), pan: TestCard);
        known.Remove("country");
        var unknown = OrderRequests.Bind(GatewayFixture.NewId("b"), GatewayFixture.NewId("u"), pan: "4001563861135570");
        unknown.Remove("country");

        (await _host.Merchant.PostAsync("orderAndPay", known)).DataString("status").ShouldBe(OrderStatuses.Success);
        (await _host.Merchant.PostAsync("orderAndPay", unknown)).DataString("status").ShouldBe(OrderStatuses.Success);

        var knownOrder = await _host.Merchant.QueryAsync(known["outTradeNo"]!.GetValue<string>());
        knownOrder.DataString("country").ShouldBe("GB");
        knownOrder.Data.GetProperty("paymentDetails")[0].GetProperty("cardInfo").GetProperty("country").GetString().ShouldBe("GB");
        var unknownOrder = await _host.Merchant.QueryAsync(unknown["outTradeNo"]!.GetValue<string>());
        unknownOrder.DataString("country").ShouldBe(Countries.Unknown);
        unknownOrder.Data.GetProperty("paymentDetails")[0].GetProperty("cardInfo").GetProperty("country").GetString().ShouldBe(Countries.Unknown);
    }

    /// <summary>
    /// The example as a merchant integrating from the guide would send it: the printed body, with the
    /// identifiers, times, placeholders and example cards no merchant could send as printed replaced.
    /// </summary>
    private async Task<JsonObject> AsAMerchantWouldSendAsync(Example example)
    {
        var body = (JsonObject)example.Body.DeepClone();
        body["appId"] = _host.Merchant.AppId;
        body["merchantNo"] = _host.Merchant.MerchantNo;
        body["requestTime"] = PayerMaxTime.Format(_host.Clock.GetUtcNow());
        var data = body["data"]!.AsObject();
        var suffix = GatewayFixture.NewId("x")[2..];
        var user = (data["userId"]?.GetValue<string>() ?? "buyer") + "_" + suffix;
        if (data.ContainsKey("userId")) data["userId"] = user;
        foreach (var url in data.Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) && s.Contains('[')).Select(p => p.Key).ToList())
        {
            data[url] = "https://shop.example/" + url;
        }

        var detail = data["paymentDetail"] as JsonObject;
        if (detail?["cardInfo"] is JsonObject card)
        {
            if (card["cardIdentifierNo"]!.GetValue<string>().Contains('*')) card["cardIdentifierNo"] = TestCard;
            var expiry = Cards.ValidUntil(int.Parse(card["cardExpirationMonth"]!.GetValue<string>(), CultureInfo.InvariantCulture), 2000 + int.Parse(card["cardExpirationYear"]!.GetValue<string>(), CultureInfo.InvariantCulture));
            if (expiry <= _host.Clock.GetUtcNow()) card["cardExpirationYear"] = "30";
        }

        if (data.ContainsKey("paymentTokenID") || detail?.ContainsKey("paymentTokenID") == true)
        {
            var token = await SavedCardAsync(user);
            (detail ?? data)["paymentTokenID"] = token;
        }

        if (detail?.ContainsKey("paymentToken") == true)
        {
            (detail["sessionKey"], detail["paymentToken"]) = await DropinTokenAsync(user);
        }

        if (data.ContainsKey("outTradeNo"))
        {
            var outTradeNo = data["outTradeNo"]!.GetValue<string>() + "_" + suffix;
            data["outTradeNo"] = outTradeNo;
            if (example.Api == "orderQuery")
            {
                (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(outTradeNo, user))).Code.ShouldBe(ResultCodes.ApplySuccess);
            }
        }

        return body;
    }

    private async Task<string> SavedCardAsync(string user)
    {
        // A Mastercard: the guide's inquiry asks for the user's MASTERCARD tokens.
        var bind = OrderRequests.Bind(GatewayFixture.NewId("s"), user, pan: "5555555555554444");
        (await _host.Merchant.PostAsync("orderAndPay", bind)).DataString("status").ShouldBe(OrderStatuses.Success);
        return (await _host.Merchant.QueryAsync(bind["outTradeNo"]!.GetValue<string>())).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
    }

    private async Task<(string SessionKey, string PaymentToken)> DropinTokenAsync(string user)
    {
        var session = await _host.Merchant.PostAsync("applyDropinSession", new JsonObject { ["userId"] = user, ["currency"] = "USD", ["country"] = "SA", ["mitType"] = "UNSCHEDULED" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/dropin/v1/tokens")
        {
            Content = JsonContent.Create(new { card = new { cardIdentifierNo = TestCard, cardExpirationMonth = "12", cardExpirationYear = "30", cvv = "123" } }),
        };
        request.Headers.Add("X-Dropin-Client-Key", session.DataString("clientKey"));
        request.Headers.Add("X-Dropin-Session-Key", session.DataString("sessionKey"));
        using var issued = await _host.Http.SendAsync(request);
        var paymentToken = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("paymentToken").GetString()!;
        return (session.DataString("sessionKey"), paymentToken);
    }

    private static FormUrlEncodedContent CashierForm(string? country)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("cardIdentifierNo", TestCard), new("cardHolderFullName", "Web Buyer"), new("cardExpirationMonth", "03"), new("cardExpirationYear", "30"), new("cvv", "123"),
        };
        if (country is not null) fields.Add(new("country", country));
        return new FormUrlEncodedContent(fields);
    }

    private static readonly JsonSerializerOptions FixtureOptions = new(JsonSerializerDefaults.Web);

    private static IReadOnlyList<Example> Examples() =>
        JsonSerializer.Deserialize<List<Example>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Printed", "payermax-printed-examples.json")), FixtureOptions)!;
}
