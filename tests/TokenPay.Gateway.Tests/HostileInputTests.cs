using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// Bad input that once ended in SYSTEM_ERROR or a 500: broken text in envelope and data fields, overflowing
/// amounts, URLs no browser can be redirected to, malformed forms and oversized bodies on the pages.
/// Each gets a clear refusal naming the field, and nothing is stored.
/// </summary>
public class HostileInputTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GatewayHost Host => fixture.Host;

    // Invalid UTF-8 (a lone continuation byte, an overlong form) and unpaired surrogate escapes.
    public static TheoryData<string, string> BrokenText => new()
    {
        { "appId", "bad\\ud800" }, { "merchantNo", "bad\\udfff" }, { "version", "\\ud83d" }, { "requestTime", "x\\ud800y" }, { "keyVersion", "\\udc00" },
        { "appId", "RAW:80" }, { "merchantNo", "RAW:c0af" }, { "data.subject", "\\ud800" }, { "data.userId", "RAW:ff" }, { "data.outTradeNo", "RAW:80" },
        { "data.paymentDetail.cardInfo.cardHolderFullName", "\\udfff" },
    };

    [Theory]
    [MemberData(nameof(BrokenText))]
    public async Task BrokenTextInAnyField_ParamsInvalidNamingIt(string path, string value)
    {
        var ordersBefore = await Host.ScalarAsync("SELECT COUNT(*) FROM orders");
        var envelope = JsonNode.Parse(Host.Merchant.Envelope(OrderRequests.Bind(GatewayFixture.NewId("t"), "u1")))!.AsObject();
        var marker = "__BROKEN__";
        Set(envelope, path, marker);
        var json = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        var body = Splice(json, marker, value);

        var answer = await Host.Merchant.PostSignedAsync("orderAndPay", body);

        answer.Code.ShouldBe(ResultCodes.ParamsInvalid, answer.ToString());
        answer.Msg.ShouldContain(path.StartsWith("data.", StringComparison.Ordinal) ? path[5..] : path);
        answer.SignatureValid.ShouldBeTrue();
        Host.Logs.Lines.ShouldNotContain(l => l.StartsWith("Error", StringComparison.Ordinal), "bad input is not an error of ours");
        (await Host.ScalarAsync("SELECT COUNT(*) FROM orders")).ShouldBe(ordersBefore);
    }

    [Theory]
    [InlineData("79228162514264337593543950335")]
    [InlineData("92233720368547758.08")]
    [InlineData("7922816251426433759354395033.5")]
    public async Task AmountNearDecimalMax_AmountInvalid(string amount)
    {
        var order = OrderRequests.Card(GatewayFixture.NewId("big"), "u1");
        order["totalAmount"] = amount;

        var answer = await Host.Merchant.PostAsync("orderAndPay", order);

        answer.Code.ShouldBe(ResultCodes.AmountInvalid, answer.ToString());
        answer.Msg.ShouldContain("totalAmount");
    }

    [Theory]
    [InlineData("https://shop.example/r\u00e9turn")]
    [InlineData("https://shop.example/return\r\nSet-Cookie: x=1")]
    [InlineData("https://shop.example/return\u0000")]
    [InlineData("https://shop.example/a b")]
    public async Task UrlsNoBrowserCanBeSentTo_RefusedAtOrderAndPay(string url)
    {
        foreach (var field in new[] { "frontCallbackUrl", "notifyUrl" })
        {
            var order = OrderRequests.Card(GatewayFixture.NewId("url"), "u1", "4000000000003220");
            order[field] = url;

            var answer = await Host.Merchant.PostAsync("orderAndPay", order);

            answer.Code.ShouldBe(ResultCodes.ParamsInvalid, $"{field}: {answer}");
            answer.Msg.ShouldContain(field);
        }
    }

    [Fact]
    public async Task PercentEncodedCallback_RedirectsAfter3ds()
    {
        var order = OrderRequests.Card(GatewayFixture.NewId("enc"), "u1", "4000000000003220");
        order["frontCallbackUrl"] = "https://shop.example/r%C3%A9turn?x=%0D%0A";
        var link = (await Host.Merchant.PostAsync("orderAndPay", order)).DataString("redirectUrl");

        using var done = await Host.Http.PostAsync(link, new FormUrlEncodedContent([new("outcome", "pass")]));

        done.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        done.Headers.Location!.OriginalString.ShouldBe("https://shop.example/r%C3%A9turn?x=%0D%0A");
    }

    public static TheoryData<string, string> MalformedForms => new()
    {
        { "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"outcome\"\r\n\r\npass\r\n--x--" },
        { "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"outcome\"\r\n\r\npass" },
        { "multipart/form-data; boundary=x", "garbage without any boundary" },
        { "application/x-www-form-urlencoded", string.Join('&', Enumerable.Range(0, 5000).Select(i => $"k{i}=v")) },
        { "application/x-www-form-urlencoded", "outcome=" + new string('a', 7_000) },
    };

    [Theory]
    [MemberData(nameof(MalformedForms))]
    public async Task MalformedFormsToPages_400PageNever500(string contentType, string body)
    {
        var challenge = (await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Card(GatewayFixture.NewId("mf"), "u1", "4000000000003220"))).DataString("redirectUrl");
        var hosted = OrderRequests.Card(GatewayFixture.NewId("mf"), "u1");
        hosted["integrate"] = "Hosted_Checkout";
        hosted["paymentDetail"]!.AsObject().Remove("cardInfo");
        var cashier = (await Host.Merchant.PostAsync("orderAndPay", hosted)).DataString("redirectUrl");

        foreach (var target in new[] { challenge, cashier, "/threeds/unknown-id", "/cashier/unknown-id" })
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);

            using var response = await Host.Http.PostAsync(target, content);

            ((int)response.StatusCode).ShouldBeInRange(400, 499, $"{target} {contentType}");
            response.Content.Headers.ContentType?.MediaType.ShouldBe("text/html");
        }

        // The orders are still open: a malformed post changed nothing.
        (await Host.Http.GetAsync(challenge)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Host.Http.GetAsync(cashier)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/dropin/v1/tokens", "application/json")]
    [InlineData("/threeds/unknown-id", "application/x-www-form-urlencoded")]
    [InlineData("/cashier/unknown-id", "application/x-www-form-urlencoded")]
    public async Task OversizedBodies_RefusedWithoutBeingRead(string path, string contentType)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 8; i++)
        {
            using var content = new ByteArrayContent(new byte[4 * 1024 * 1024]);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            try
            {
                using var response = await Host.Http.PostAsync(path, content);
                ((int)response.StatusCode).ShouldBeInRange(400, 499);
            }
            catch (HttpRequestException)
            {
                // The server answered and closed the connection before taking the rest of the body: refused unread.
            }
        }

        Host.Logs.Lines.ShouldNotContain(l => l.StartsWith("Error", StringComparison.Ordinal));
        // 32 MiB were sent; none of it may stay in the process.
        (GC.GetTotalMemory(forceFullCollection: true) - before).ShouldBeLessThan(16 * 1024 * 1024);
    }

    [Theory]
    [InlineData("GET", "/aggregate-pay/api/gateway/orderAndPay")]
    [InlineData("PUT", "/aggregate-pay/api/gateway/orderQuery")]
    [InlineData("POST", "/aggregate-pay/api/gateway/noSuchApi")]
    [InlineData("POST", "/aggregate-pay/api/gateway")]
    [InlineData("POST", "/aggregate-pay/api/gateway/orderAndPay.json")]
    public async Task ApiPathRefusedByTheServer_AnswersJson(string method, string path)
    {
        using var response = await Host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        json["code"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        json["msg"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("orderAndPay")]
    [InlineData("refund")]
    [InlineData("refundQuery")]
    [InlineData("applyPaymentToken")]
    [InlineData("InquireApplyRequest")]
    public async Task AKnownApiCalledWithoutPost_Answers405SayingItTakesPost(string api)
    {
        using var response = await Host.Http.GetAsync($"/aggregate-pay/api/gateway/{api}");

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.MethodNotAllowed);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["msg"]!.GetValue<string>().ShouldBe($"{api} takes POST with a signed JSON body.");
    }

    // Replaces the quoted marker with raw text: "\\u" escapes as written, or RAW:hex as raw bytes inside the quotes.
    private static byte[] Splice(byte[] json, string marker, string value)
    {
        var text = Encoding.UTF8.GetString(json);
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        var before = Encoding.UTF8.GetBytes(text[..at]);
        var after = Encoding.UTF8.GetBytes(text[(at + marker.Length)..]);
        var middle = value.StartsWith("RAW:", StringComparison.Ordinal) ? [(byte)'x', .. Convert.FromHexString(value[4..]), (byte)'y'] : Encoding.UTF8.GetBytes(value);
        return [.. before, .. middle, .. after];
    }

    private static void Set(JsonObject root, string path, string value)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        parent[parts[^1]] = value;
    }
}
