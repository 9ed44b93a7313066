using Microsoft.Extensions.DependencyInjection;
using TokenPay.Client;

namespace TokenPay.Client.Tests;

/// <summary>Builds clients the way an application does: through AddPayerMaxClient and IHttpClientFactory.</summary>
internal static class ClientFactory
{
    public static PayerMaxClient For(Uri baseUrl, TimeProvider clock, Action<IHttpClientBuilder>? http = null, Action<PayerMaxClientOptions>? tweak = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        var builder = services.AddPayerMaxClient(o =>
        {
            o.Environment = PayerMaxEnvironment.Custom;
            o.BaseUrl = baseUrl;
            o.AppId = TestKeys.AppId;
            o.MerchantNo = TestKeys.MerchantNo;
            o.MerchantPrivateKey = TestKeys.MerchantPrivate;
            o.PlatformPublicKey = TestKeys.PlatformPublic;
            tweak?.Invoke(o);
        });
        http?.Invoke(builder);
        return services.BuildServiceProvider().GetRequiredService<PayerMaxClient>();
    }

    public static PayerMaxClient For(GatewayHost host, Action<IHttpClientBuilder>? http = null) => For(host.BaseAddress, host.Clock, http);
}

/// <summary>A fake at the edge: answers every request itself, counting them.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
{
    public int Calls;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(answer(request, Interlocked.Increment(ref Calls)));
}

/// <summary>Rewrites the bytes of every answer on their way back, as a man in the middle would.</summary>
internal sealed class TamperingHandler(Func<byte[], byte[]> rewrite, bool dropSign = false) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var body = rewrite(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        var sign = response.Headers.TryGetValues("sign", out var values) ? values.First() : null;
        var tampered = new HttpResponseMessage(response.StatusCode) { Content = new ByteArrayContent(body) };
        if (sign is not null && !dropSign)
        {
            tampered.Headers.TryAddWithoutValidation("sign", sign);
        }

        response.Dispose();
        return tampered;
    }
}
