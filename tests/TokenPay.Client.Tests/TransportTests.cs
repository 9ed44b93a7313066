using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TokenPay.Client;
using TokenPay.Protocol.Models;

namespace TokenPay.Client.Tests;

/// <summary>What the client does when the answer is unknown: typed exceptions that say whether a retry is safe, and retries only where safe.</summary>
public class TransportTests
{
    private static readonly BuyerInfo Buyer = new() { ClientIp = "203.0.113.9", UserAgent = "t" };

    [Fact]
    public async Task GoldenVectorAnswer_VerifiedAndParsed()
    {
        var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "response-body.json"));
        var sign = TestKeys.Vector("response-body.sign");
        var client = Stubbed((_, _) => Answer(HttpStatusCode.OK, body, sign), out _);

        var result = await client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(new OrderDetails("vec_0001", "s", 1m, "USD", "US", "u"), "PMTOKEN1", Buyer));

        result.IsSigned.ShouldBeTrue();
        result.Data!.TradeToken.ShouldBe("T2026112207562065700000001");
        result.Data.Status.ShouldBe("SUCCESS");
    }

    [Fact]
    public async Task OrderAndPay_ServerError_NotRetriedAndNotSafeToRetry()
    {
        var client = Stubbed((_, _) => Answer(HttpStatusCode.ServiceUnavailable, "busy"u8.ToArray(), null), out var stub);

        var ex = await Should.ThrowAsync<PayerMaxTransportException>(() =>
            client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(new OrderDetails("o1", "s", 1m, "USD", "US", "u"), "PMTOKEN1", Buyer)));

        stub.Calls.ShouldBe(1);
        ex.IsRetrySafe.ShouldBeFalse();
        ex.Message.ShouldContain("query it by outTradeNo");
    }

    [Fact]
    public async Task OrderQuery_TransientErrors_RetriedThenSucceeds()
    {
        var body = """{"code":"APPLY_SUCCESS","msg":"Success.","data":{"outTradeNo":"vec_0001","tradeToken":"T1","status":"SUCCESS","totalAmount":1.00,"currency":"USD"}}"""u8.ToArray();
        using var platform = TokenPay.Protocol.Signing.RsaKeys.ImportPrivateKey(TestKeys.PlatformPrivate);
        var sign = TokenPay.Protocol.Signing.PayerMaxSignature.Sign(platform, body);
        var client = Stubbed((_, n) => n < 3 ? Answer(HttpStatusCode.BadGateway, "x"u8.ToArray(), null) : Answer(HttpStatusCode.OK, body, sign), out var stub);

        var result = await client.OrderQueryAsync(new() { OutTradeNo = "vec_0001" });

        stub.Calls.ShouldBe(3);
        result.IsSuccess.ShouldBeTrue();
        result.Data!.Status.ShouldBe("SUCCESS");
        result.Data.Country.ShouldBeNull("a field the gateway left out is read as absent, not an error");
    }

    [Fact]
    public async Task OrderQuery_Retries_WaitOnTheInjectedClock_200msThen400ms_AndLogWhy()
    {
        var body = """{"code":"ORDER_NOT_EXIST","msg":"no"}"""u8.ToArray();
        var clock = new TimerRecordingClock(GatewayHost.Epoch);
        var logs = new CapturedLogs();
        var stub = new StubHandler((_, n) => n < 3 ? Answer(HttpStatusCode.BadGateway, "x"u8.ToArray(), null) : Answer(HttpStatusCode.OK, body, null));
        var client = ClientFactory.For(new Uri("http://gateway.test/"), clock, http =>
        {
            http.ConfigurePrimaryHttpMessageHandler(() => stub);
            http.Services.AddSingleton<ILoggerProvider>(logs);
        });

        var query = client.OrderQueryAsync(new() { OutTradeNo = "o1" });

        await clock.UntilWaitingAsync(TimeSpan.FromMilliseconds(200));
        clock.Advance(TimeSpan.FromMilliseconds(199));
        stub.Calls.ShouldBe(1, "the first retry waits 200 ms of the injected clock");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await clock.UntilWaitingAsync(TimeSpan.FromMilliseconds(400));
        stub.Calls.ShouldBe(2);
        clock.Advance(TimeSpan.FromMilliseconds(400));

        (await query).Code.ShouldBe("ORDER_NOT_EXIST");
        stub.Calls.ShouldBe(3);
        logs.Lines.Where(l => l.Contains("retrying", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(" (", StringComparison.Ordinal)]).ShouldBe(
        [
            "Warning TokenPay.Client.PayerMaxClient: PayerMax orderQuery attempt 1 failed",
            "Warning TokenPay.Client.PayerMaxClient: PayerMax orderQuery attempt 2 failed",
        ]);
        logs.All.ShouldContain("(orderQuery answered HTTP 502. It is safe to call again.); retrying");
    }

    [Fact]
    public async Task OrderQuery_GatewayDown_TypedExceptionSafeToRetry()
    {
        var client = ClientFactory.For(new Uri("http://127.0.0.1:9/"), TimeProvider.System, tweak: o => o.MaxRetries = 1);

        var ex = await Should.ThrowAsync<PayerMaxTransportException>(() => client.OrderQueryAsync(new() { OutTradeNo = "x" }));

        ex.IsRetrySafe.ShouldBeTrue();
        ex.Api.ShouldBe("orderQuery");
    }

    [Fact]
    public async Task NotJsonAnswer_TransportException()
    {
        var client = Stubbed((_, _) => Answer(HttpStatusCode.OK, "<html>proxy</html>"u8.ToArray(), null), out _);

        await Should.ThrowAsync<PayerMaxTransportException>(() => client.RemovePaymentTokenAsync(new RemovePaymentTokenRequest { UserId = "u", PaymentTokenId = "t" }));
    }

    [Fact]
    public async Task Request_IsSignedOverTheExactBytesSent()
    {
        byte[]? sent = null;
        string? sign = null;
        var client = Stubbed((request, _) =>
        {
            sent = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            sign = request.Headers.GetValues("sign").Single();
            return Answer(HttpStatusCode.OK, "{\"code\":\"ORDER_NOT_EXIST\",\"msg\":\"no\"}"u8.ToArray(), null);
        }, out _);

        await client.OrderQueryAsync(new() { OutTradeNo = "ünïcødé_1" });

        using var merchantPublic = TokenPay.Protocol.Signing.RsaKeys.ImportPublicKey(TestKeys.MerchantPublic);
        TokenPay.Protocol.Signing.PayerMaxSignature.Verify(merchantPublic, sent, sign).ShouldBeTrue();
        Encoding.UTF8.GetString(sent!).ShouldContain("\"version\":\"1.4\"");
        Encoding.UTF8.GetString(sent!).ShouldContain("ünïcødé_1");
    }

    private static PayerMaxClient Stubbed(Func<HttpRequestMessage, int, HttpResponseMessage> answer, out StubHandler stub)
    {
        var handler = new StubHandler(answer);
        stub = handler;
        return ClientFactory.For(new Uri("http://gateway.test/"), TimeProvider.System, http => http.ConfigurePrimaryHttpMessageHandler(() => handler));
    }

    /// <summary>The library's fake clock, noting each timer's due time so a test knows when a wait has begun.</summary>
    private sealed class TimerRecordingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _dueTimes.Enqueue(dueTime);
            return base.CreateTimer(callback, state, dueTime, period);
        }

        public Task UntilWaitingAsync(TimeSpan dueTime) =>
            Eventually.UntilAsync(() => Task.FromResult(_dueTimes.Count(d => d == dueTime)), n => n == 1, $"a wait of {dueTime.TotalMilliseconds} ms");
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, byte[] body, string? sign)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
        if (sign is not null)
        {
            response.Headers.TryAddWithoutValidation("sign", sign);
        }

        return response;
    }
}
