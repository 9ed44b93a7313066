using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TokenPay.Protocol.Signing;

namespace TokenPay.Merchant.Tests;

/// <summary>
/// The gateway's dispute desk at the edge, until the gateway offers caseSearch, caseReplay and caseList itself: answers
/// those three (signed with the platform key, as the gateway would) from the cases it holds, and passes every other
/// call on to the real gateway. It takes an answer only while a case is DISPUTE_INQUIRY, and the same answer again.
/// </summary>
internal sealed class CaseDesk : DelegatingHandler
{
    private readonly List<(int Change, JsonObject View)> _cases = [];
    private int _changes;

    /// <summary>Every caseReplay's data, in the order they came.</summary>
    public List<JsonObject> Replays { get; } = [];

    /// <summary>Every caseList's data, in the order they came.</summary>
    public List<JsonObject> Lists { get; } = [];

    /// <summary>Adds or replaces a case (by caseId): a change, listed after every change before it.</summary>
    public void Put(JsonObject view)
    {
        lock (_cases)
        {
            _cases.RemoveAll(c => (string?)c.View["caseId"] == (string?)view["caseId"]);
            _cases.Add((++_changes, view));
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var api = request.RequestUri!.Segments[^1];
        if (api is not ("caseSearch" or "caseReplay" or "caseList"))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var data = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!["data"]!.AsObject();
        lock (_cases)
        {
            return Signed(api switch
            {
                "caseSearch" => Search(data),
                "caseReplay" => Replay(data),
                _ => List(data),
            });
        }
    }

    private JsonObject Search(JsonObject data) =>
        Find((string?)data["caseId"]) is { } found ? Success(found.DeepClone()) : Code("CASE_NOT_EXIST", $"No case {data["caseId"]}.");

    private JsonObject Replay(JsonObject data)
    {
        Replays.Add(data);
        var caseId = (string?)data["caseId"];
        if (Find(caseId) is not { } found)
        {
            return Code("CASE_NOT_EXIST", $"No case {caseId}.");
        }

        var answer = data["responseContent"]!.ToJsonString() + data["representmentFile"]!.ToJsonString();
        var repeat = (string?)found["status"] == "DISPUTE_RECEIVED" && (string?)found["answer"] == answer;
        if ((string?)found["status"] != "DISPUTE_INQUIRY" && !repeat)
        {
            return Code("CASE_STATUS_INVALID", $"Case {caseId} is {found["status"]}: it cannot be answered.");
        }

        found["status"] = "DISPUTE_RECEIVED";
        found["answer"] = answer;
        return Success(new JsonObject { ["successCaseIds"] = new JsonArray(caseId), ["failCaseIds"] = new JsonArray() });
    }

    // The cursor is the last change listed: a page holds the changes after it.
    private JsonObject List(JsonObject data)
    {
        Lists.Add(data);
        var after = int.TryParse((string?)data["cursor"], out var change) ? change : 0;
        var changed = _cases.Where(c => c.Change > after).OrderBy(c => c.Change).ToList();
        var page = changed.Take((int?)data["limit"] ?? 50).ToList();
        return Success(new JsonObject
        {
            ["cases"] = new JsonArray([.. page.Select(c => c.View.DeepClone())]),
            ["nextCursor"] = (page.Count > 0 ? page[^1].Change : after).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["hasMore"] = changed.Count > page.Count,
        });
    }

    private JsonObject? Find(string? caseId) => _cases.Select(c => c.View).FirstOrDefault(c => (string?)c["caseId"] == caseId);

    private static JsonObject Success(JsonNode data) => new() { ["code"] = "APPLY_SUCCESS", ["msg"] = "Success.", ["data"] = data };

    private static JsonObject Code(string code, string msg) => new() { ["code"] = code, ["msg"] = msg };

    private static HttpResponseMessage Signed(JsonObject answer)
    {
        var body = Encoding.UTF8.GetBytes(answer.ToJsonString());
        using var platform = RsaKeys.ImportPrivateKey(TestKeys.PlatformPrivate);
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        response.Headers.TryAddWithoutValidation("sign", PayerMaxSignature.Sign(platform, body));
        return response;
    }

    /// <summary>A case as the gateway shows it: 10.00 USD disputed on 2026-11-22 (the test clock's day), answerable until 2026-12-06.</summary>
    public static JsonObject Case(string caseId, string status, string outTradeNo, string? paymentTokenId = "PMTOKEN_D", string reason = "NOT_RECEIVED", string? result = null) => new()
    {
        ["caseId"] = caseId, ["status"] = status, ["caseResult"] = result, ["reasonCode"] = reason == "FRAUD" ? "10.4" : "13.1",
        ["reasonMessage"] = reason == "FRAUD" ? "Other fraud: card absent environment" : "Merchandise / services not received", ["reasonCategory"] = reason,
        ["outTradeNo"] = outTradeNo, ["tradeToken"] = "T" + outTradeNo, ["outUserId"] = "dora", ["paymentTokenID"] = paymentTokenId,
        ["tradeAmount"] = "10.00", ["tradeCurrency"] = "USD", ["tradeCountry"] = "US", ["tradeCreateTime"] = "2026-11-01T00:00:00.000+00:00",
        ["amount"] = "10.00", ["fee"] = "0.15", ["totalAmount"] = "10.15", ["currency"] = "USD",
        ["retrievalDate"] = "2026-11-22", ["expirationDate"] = "2026-12-06", ["cardOrg"] = "VISA", ["paymentMethodType"] = "CARD",
    };

    /// <summary>The CHARGEBACK notification of a case, as the gateway signs and sends it.</summary>
    public static string Notification(JsonObject view, string notifyTime = "2026-11-22T07:00:00.000+00:00") => new JsonObject
    {
        ["appId"] = TestKeys.AppId, ["merchantNo"] = TestKeys.MerchantNo, ["keyVersion"] = "1", ["notifyTime"] = notifyTime,
        ["notifyType"] = "CHARGEBACK", ["code"] = "APPLY_SUCCESS", ["msg"] = "Success.", ["data"] = view.DeepClone(),
    }.ToJsonString();

    /// <summary>Posts a notification to the merchant's endpoint, signed with the platform key.</summary>
    public static async Task<HttpResponseMessage> PostSignedAsync(MerchantHost merchant, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var platform = RsaKeys.ImportPrivateKey(TestKeys.PlatformPrivate);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payermax/notify") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("sign", PayerMaxSignature.Sign(platform, body));
        return await merchant.Http.SendAsync(request);
    }
}
