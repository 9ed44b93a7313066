using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenPay.Client;
using TokenPay.Protocol.Models;
using TokenPay.Protocol.Signing;

namespace TokenPay.Client.Tests;

/// <summary>
/// caseSearch, caseReplay and caseList over real HTTP on 127.0.0.1, against a small server that answers as the gateway
/// does (signed with the platform key), and the CHARGEBACK notification through the verifier and the endpoint.
/// </summary>
public sealed class DisputeCallsTests : IAsyncLifetime
{
    public const string CaseJson = """{"caseId":"D100","status":"DISPUTE_INQUIRY","reasonCode":"10.4","reasonMessage":"Other fraud: card absent","reasonCategory":"FRAUD","outTradeNo":"o1","tradeToken":"T1","outUserId":"u1","paymentTokenID":"PMTOKEN1","tradeAmount":"10.00","tradeCurrency":"USD","tradeCountry":"US","tradeCreateTime":"2026-11-01T00:00:00.000+00:00","amount":"10.00","fee":"0.15","totalAmount":"10.15","currency":"USD","retrievalDate":"2026-11-21","expirationDate":"2026-12-05","cardOrg":"VISA","paymentMethodType":"CARD"}""";

    private readonly List<(string Api, JsonObject Envelope)> _received = [];
    private readonly List<PayerMaxNotification> _notified = [];
    private Func<string, int, (HttpStatusCode Status, string Body)> _answer = (_, _) => (HttpStatusCode.OK, """{"code":"APPLY_SUCCESS","msg":"Success."}""");
    private WebApplication _server = null!;
    private Uri _baseUrl = null!;

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
        _server = builder.Build();
        _server.MapPost("/aggregate-pay/api/gateway/{api}", AnswerAsync);
        _server.MapPayerMaxNotifications("/notify", (notification, _, _) =>
        {
            lock (_notified)
            {
                _notified.Add(notification);
            }

            return Task.CompletedTask;
        });
        await _server.StartAsync();
        _baseUrl = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CaseSearch_SendsCaseIdAtVersion15_ReadsTheCaseWithItsAmounts()
    {
        _answer = (_, _) => (HttpStatusCode.OK, $$$"""{"code":"APPLY_SUCCESS","msg":"Success.","data":{{{CaseJson}}}}""");

        var result = await Client().CaseSearchAsync(new CaseSearchRequest { CaseId = "D100" });

        var (api, envelope) = _received.Single();
        (api, (string?)envelope["version"], (string?)envelope["data"]!["caseId"]).ShouldBe(("caseSearch", "1.5", "D100"));
        result.IsSigned.ShouldBeTrue();
        var found = result.Data!;
        (found.Status, found.ReasonCategory, found.PaymentTokenId).ShouldBe((DisputeStatuses.Inquiry, DisputeReasons.Fraud, "PMTOKEN1"));
        (found.Amount, found.Fee, found.TotalAmount).ShouldBe((10.00m, 0.15m, 10.15m));
    }

    [Fact]
    public async Task CaseReplay_TransientFailure_RetriedWithTheSameAnswer()
    {
        _answer = (_, n) => n == 1
            ? (HttpStatusCode.BadGateway, "busy")
            : (HttpStatusCode.OK, """{"code":"APPLY_SUCCESS","msg":"Success.","data":{"successCaseIds":["D100"],"failCaseIds":[]}}""");

        var result = await Client().CaseReplayAsync(new CaseReplayRequest
        {
            CaseId = "D100",
            OutUserId = "u1",
            ResponseContent = "Delivered and signed for.",
            RepresentmentFile = ["https://shop.example/evidence/pod.pdf"],
        });

        result.Data!.SuccessCaseIds.ShouldBe(["D100"]);
        _received.Count.ShouldBe(2, "caseReplay is retry-safe: the gateway takes an identical repeat");
        _received.ShouldAllBe(r => r.Api == "caseReplay" && (string?)r.Envelope["version"] == "1.5");
        var answers = _received.Select(r => r.Envelope["data"]!.ToJsonString()).Distinct().ToList();
        answers.Count.ShouldBe(1, "each attempt carries the same answer");
        answers[0].ShouldContain("\"representmentFile\":[\"https://shop.example/evidence/pod.pdf\"]");
    }

    [Fact]
    public async Task CaseReplay_Refusal_IsAResultWithTheGatewaysWords()
    {
        _answer = (_, _) => (HttpStatusCode.OK, """{"code":"CASE_STATUS_INVALID","msg":"Case D100 is DISPUTE_RECEIVED: it was answered already."}""");

        var result = await Client().CaseReplayAsync(new CaseReplayRequest { CaseId = "D100", OutUserId = "u1", ResponseContent = "x", RepresentmentFile = [] });

        result.IsSuccess.ShouldBeFalse();
        (result.Code, result.Msg).ShouldBe(("CASE_STATUS_INVALID", "Case D100 is DISPUTE_RECEIVED: it was answered already."));
    }

    [Fact]
    public async Task CaseList_SendsCursorAndLimit_ReadsThePage()
    {
        _answer = (_, _) => (HttpStatusCode.OK, $$$"""{"code":"APPLY_SUCCESS","msg":"Success.","data":{"cases":[{{{CaseJson}}}],"nextCursor":"c2","hasMore":false}}""");

        var result = await Client().CaseListAsync(new CaseListRequest { Cursor = "c1", Limit = 10 });

        var (api, envelope) = _received.Single();
        (api, (string?)envelope["version"], (string?)envelope["data"]!["cursor"], (int?)envelope["data"]!["limit"]).ShouldBe(("caseList", "1.5", "c1", 10));
        (result.Data!.Cases.Single().CaseId, result.Data.NextCursor, result.Data.HasMore).ShouldBe(("D100", "c2", false));
    }

    [Fact]
    public async Task ChargebackNotification_VerifiedAndPassedToTheHandler_AsItsOwnKind()
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"appId":"a","merchantNo":"m","keyVersion":"1","notifyTime":"2026-11-21T00:00:00.000+00:00","notifyType":"CHARGEBACK","code":"APPLY_SUCCESS","msg":"Success.","data":{{{CaseJson}}}}""");
        using var platform = RsaKeys.ImportPrivateKey(TestKeys.PlatformPrivate);
        var sign = PayerMaxSignature.Sign(platform, body);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "notify")) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("sign", sign);

        using var response = await http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var notification = _notified.Single();
        (notification.Payment, notification.Tokenization, notification.Refund).ShouldBe((null, null, null));
        (notification.NotifyType, notification.Chargeback!.CaseId, notification.Chargeback.Status, notification.Chargeback.TotalAmount)
            .ShouldBe(("CHARGEBACK", "D100", DisputeStatuses.Inquiry, 10.15m));
        new PayerMaxNotificationVerifier(TestKeys.PlatformPublic).Verify(body, sign).Notification!.Chargeback!.CaseId.ShouldBe("D100");
    }

    private PayerMaxClient Client() => ClientFactory.For(_baseUrl, TimeProvider.System);

    private async Task AnswerAsync(HttpContext http, string api)
    {
        var envelope = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        int count;
        lock (_received)
        {
            _received.Add((api, envelope));
            count = _received.Count;
        }

        var (status, text) = _answer(api, count);
        var body = Encoding.UTF8.GetBytes(text);
        http.Response.StatusCode = (int)status;
        if (status == HttpStatusCode.OK)
        {
            using var platform = RsaKeys.ImportPrivateKey(TestKeys.PlatformPrivate);
            http.Response.Headers["sign"] = PayerMaxSignature.Sign(platform, body);
        }

        await http.Response.Body.WriteAsync(body);
    }
}
