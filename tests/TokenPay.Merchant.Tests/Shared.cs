using TokenPay.Protocol;

namespace TokenPay.Merchant.Tests;

internal static class Shared
{
    /// <summary>Saves a card for <paramref name="user"/> at the gateway (mode B with mitType) and returns its token.</summary>
    public static async Task<string> SaveCardAsync(GatewayHost gateway, string user, string pan = "4444333322221111")
    {
        var order = "seed_" + Guid.NewGuid().ToString("N")[..16];
        (await gateway.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, user, pan))).DataString("status").ShouldBe(OrderStatuses.Success);
        return (await gateway.Merchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
    }
}

/// <summary>The network at the edge: loses answers (or requests) of chosen calls, as a timeout would.</summary>
internal sealed class LossyNetwork(Func<string, int, Loss> decide) : DelegatingHandler
{
    private readonly Dictionary<string, int> _calls = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var api = request.RequestUri!.Segments[^1];
        int n;
        lock (_calls)
        {
            n = _calls[api] = _calls.GetValueOrDefault(api) + 1;
        }

        switch (decide(api, n))
        {
            case Loss.Request:
                throw new HttpRequestException("connection reset before the request was sent", null, System.Net.HttpStatusCode.BadGateway);
            case Loss.Connect:
                throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused");
            case Loss.NotYetVisible:
                return NotYetVisible();
            case Loss.Answer:
                using (await base.SendAsync(request, cancellationToken))
                {
                    throw new HttpRequestException("connection reset after the request was processed");
                }

            default:
                return await base.SendAsync(request, cancellationToken);
        }
    }

    // A signed ORDER_NOT_EXIST: what a query saw of an order that was not yet visible (the doubt a merchant must survive).
    private static HttpResponseMessage NotYetVisible()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("""{"code":"ORDER_NOT_EXIST","msg":"No order with this outTradeNo exists for this merchant."}""");
        using var platform = System.Security.Cryptography.RSA.Create();
        platform.ImportPkcs8PrivateKey(Convert.FromBase64String(TestKeys.PlatformPrivate), out _);
        var answer = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        answer.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        answer.Headers.TryAddWithoutValidation("sign", TokenPay.Protocol.Signing.PayerMaxSignature.Sign(platform, body));
        return answer;
    }
}

internal enum Loss
{
    None,

    /// <summary>Lost on the way: whether it arrived is unknown to the sender.</summary>
    Request,
    Answer,

    /// <summary>No connection could be made: provably nothing was sent.</summary>
    Connect,

    /// <summary>The gateway is not asked; a signed ORDER_NOT_EXIST comes back, as if the order were not yet visible.</summary>
    NotYetVisible,
}
