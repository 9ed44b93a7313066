using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenPay.Client;
using TokenPay.Protocol.Signing;

namespace TokenPay.Client.Tests;

/// <summary>MapPayerMaxNotifications on a real merchant app, fed by the real gateway's dispatcher.</summary>
public sealed class NotificationEndpointTests : IAsyncLifetime
{
    private readonly List<PayerMaxNotification> _handled = [];
    private WebApplication _merchant = null!;
    private string _url = "";

    /// <summary>Arrival n (1-based) throws when this says so.</summary>
    private Func<int, bool> _throwOn = _ => false;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddPayerMaxClient(o =>
        {
            o.Environment = PayerMaxEnvironment.Custom;
            o.BaseUrl = new Uri("http://127.0.0.1:1/");
            o.AppId = TestKeys.AppId;
            o.MerchantNo = TestKeys.MerchantNo;
            o.MerchantPrivateKey = TestKeys.MerchantPrivate;
            o.PlatformPublicKey = TestKeys.PlatformPublic;
        });
        _merchant = builder.Build();
        _merchant.MapPayerMaxNotifications("/payermax/notify", (notification, _, _) =>
        {
            lock (_handled)
            {
                _handled.Add(notification);
                if (_throwOn(_handled.Count))
                {
                    throw new InvalidOperationException("database down");
                }
            }

            return Task.CompletedTask;
        });
        await _merchant.StartAsync();
        _url = _merchant.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/payermax/notify";
    }

    public async Task DisposeAsync() => await _merchant.DisposeAsync();

    [Fact]
    public async Task HandlerThrows_NotAcknowledged_GatewayRetriesAndSecondIsAcknowledged()
    {
        _throwOn = n => n == 1;
        await using var gateway = await GatewayHost.StartAsync();
        var data = OrderRequests.Card("ep_1", "u1");
        data["notifyUrl"] = _url;
        await gateway.Merchant.PostAsync("orderAndPay", data);

        await Eventually.UntilAsync(() => gateway.ScalarAsync("SELECT COUNT(*) FROM notification_attempts WHERE http_status = 500"), c => c == 1, "a refused attempt");
        gateway.Clock.Advance(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => gateway.ScalarAsync("SELECT COUNT(*) FROM notifications WHERE status = 'Delivered'"), c => c == 1, "delivery");

        _handled.Count.ShouldBe(2);
        _handled.ShouldAllBe(n => n.Payment!.OutTradeNo == "ep_1" && n.Payment.Status == "SUCCESS");
    }

    [Fact]
    public async Task ForgedNotification_RefusedWithoutCallingHandler()
    {
        using var http = new HttpClient();
        var body = """{"notifyType":"PAYMENT","code":"APPLY_SUCCESS","msg":"","appId":"a","merchantNo":"m","keyVersion":"1","notifyTime":"x","data":{"outTradeNo":"o","tradeToken":"T","status":"SUCCESS","totalAmount":1,"currency":"USD","country":"US"}}"""u8.ToArray();
        using var merchantKey = RsaKeys.ImportPrivateKey(TestKeys.MerchantPrivate);
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("sign", PayerMaxSignature.Sign(merchantKey, body));

        using var response = await http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("SUCCESS\",\"msg\":\"Success");
        _handled.ShouldBeEmpty();
    }

    [Fact]
    public async Task OversizedBody_413NamingTheLimit()
    {
        using var http = new HttpClient();

        using var response = await http.PostAsync(_url, new ByteArrayContent(new byte[(256 * 1024) + 1]));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("262144 bytes");
        _handled.ShouldBeEmpty();
    }
}
