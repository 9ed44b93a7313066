using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;
using TokenPay.Testing.PayerMaxSchema;

namespace TokenPay.Testing;

/// <summary>A gateway answer with its raw bytes, and whether the platform signature over them verifies.</summary>
public sealed record GatewayAnswer(HttpStatusCode Status, byte[] Body, string? Sign, bool SignatureValid)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Code => Json.GetProperty("code").GetString()!;

    public string Msg => Json.GetProperty("msg").GetString()!;

    public JsonElement Data => Json.GetProperty("data");

    public string DataString(string name) => Data.GetProperty(name).GetString()!;

    public override string ToString() => $"{(int)Status} {Encoding.UTF8.GetString(Body)}";
}

/// <summary>Signs and sends requests the way a merchant integration does: serialize once, sign those bytes, send them.</summary>
public sealed class MerchantClient(HttpClient http, string appId, string merchantNo, RSA privateKey, RSA platformPublicKey, TimeProvider clock)
{
    public string AppId => appId;

    public string MerchantNo => merchantNo;

    /// <summary>The envelope around <paramref name="data"/>, as UTF-8 bytes.</summary>
    public byte[] Envelope(JsonNode data, string version = "1.4", string? requestTime = null)
    {
        var envelope = new JsonObject
        {
            ["version"] = version,
            ["keyVersion"] = "1",
            ["requestTime"] = requestTime ?? PayerMaxTime.Format(clock.GetUtcNow()),
            ["appId"] = appId,
            ["merchantNo"] = merchantNo,
            ["data"] = data,
        };
        return Encoding.UTF8.GetBytes(envelope.ToJsonString());
    }

    public string Sign(byte[] body) => PayerMaxSignature.Sign(privateKey, body);

    public Task<GatewayAnswer> PostAsync(string api, JsonNode data) => PostSignedAsync(api, Envelope(data));

    public Task<GatewayAnswer> PostSignedAsync(string api, byte[] body) => PostRawAsync(api, body, Sign(body));

    public async Task<GatewayAnswer> PostRawAsync(string api, byte[] body, string? sign)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/aggregate-pay/api/gateway/{api}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (sign is not null)
        {
            request.Headers.TryAddWithoutValidation("sign", sign);
        }

        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var signature = response.Headers.TryGetValues("sign", out var values) ? values.Single() : null;
        // Every answer a test sees must be one PayerMax's schema allows (a violation fails that test).
        if (response.StatusCode == HttpStatusCode.OK && PayerMaxSchemas.OperationOf(api) is { } operation)
        {
            PayerMaxSchemas.Check(operation, bytes);
        }

        return new GatewayAnswer(response.StatusCode, bytes, signature, PayerMaxSignature.Verify(platformPublicKey, bytes, signature));
    }

    public Task<GatewayAnswer> QueryAsync(string outTradeNo) => PostAsync("orderQuery", new JsonObject { ["outTradeNo"] = outTradeNo });

    public Task<GatewayAnswer> InquireTokensAsync(string userId, string scope = "tokenAcq") =>
        PostAsync("inquirePaymentToken", new JsonObject { ["userId"] = userId, ["tokenScope"] = scope });

    public Task<GatewayAnswer> RemoveTokenAsync(string userId, string tokenId) =>
        PostAsync("removePaymentToken", new JsonObject { ["userId"] = userId, ["paymentTokenID"] = tokenId, ["removeReason"] = "user asked" });
}

/// <summary>orderAndPay data for each mode of docs/protocol.md 2.1, as mutable JSON so a test can break one field.</summary>
public static class OrderRequests
{
    public static JsonObject Card(string outTradeNo, string userId, string pan = "4444333322221111", decimal amount = 10m, string cvv = "123", string subject = "Test order") => new()
    {
        ["outTradeNo"] = outTradeNo,
        ["subject"] = subject,
        ["totalAmount"] = amount.ToString(CultureInfo.InvariantCulture),
        ["currency"] = "USD",
        ["country"] = "US",
        ["userId"] = userId,
        ["integrate"] = "Direct_Payment",
        ["terminalType"] = "WEB",
        ["frontCallbackUrl"] = "https://shop.example/return",
        ["paymentDetail"] = new JsonObject
        {
            ["paymentMethodType"] = "CARD",
            ["cardInfo"] = new JsonObject
            {
                ["cardIdentifierNo"] = pan,
                ["cardHolderFullName"] = "James Smith",
                ["cardExpirationMonth"] = "03",
                ["cardExpirationYear"] = "30",
                ["cvv"] = cvv,
            },
            ["buyerInfo"] = new JsonObject { ["clientIp"] = "203.0.113.7", ["userAgent"] = "Mozilla/5.0" },
        },
    };

    public static JsonObject Bind(string outTradeNo, string userId, string pan = "4444333322221111", decimal amount = 10m, string? mitType = "UNSCHEDULED", string cvv = "123", string subject = "Test order")
    {
        var order = Card(outTradeNo, userId, pan, amount, cvv, subject);
        var detail = order["paymentDetail"]!.AsObject();
        detail["tokenForFutureUse"] = true;
        detail["merchantInitiated"] = false;
        if (mitType is not null)
        {
            detail["mitType"] = mitType;
        }

        return order;
    }

    public static JsonObject TokenPayment(string outTradeNo, string userId, string tokenId, decimal amount = 10m, string subject = "Test order")
    {
        var order = Card(outTradeNo, userId, amount: amount, subject: subject);
        var detail = order["paymentDetail"]!.AsObject();
        detail.Remove("cardInfo");
        detail["paymentTokenID"] = tokenId;
        detail["merchantInitiated"] = false;
        return order;
    }

    public static JsonObject Mit(string outTradeNo, string userId, string tokenId, decimal amount = 10m, string mitType = "UNSCHEDULED", string subject = "Monthly top-up")
    {
        var order = TokenPayment(outTradeNo, userId, tokenId, amount, subject);
        var detail = order["paymentDetail"]!.AsObject();
        detail["merchantInitiated"] = true;
        detail["mitType"] = mitType;
        detail["tokenForFutureUse"] = false;
        return order;
    }
}
