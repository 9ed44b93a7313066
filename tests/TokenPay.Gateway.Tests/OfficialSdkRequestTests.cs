using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// Every request PayerMax's official PHP, Go and Java SDKs sent while running the token + MIT story, replayed
/// byte for byte (re-signed with the test key, the clock at each request's time): each one is answered as it
/// should be. The shapes the gateway once refused (an MIT without buyerInfo or terminalType) now pass.
/// </summary>
public sealed partial class OfficialSdkRequestTests
{
    private sealed record Captured(string Sdk, string Api, Dictionary<string, string> Headers, string Body, string Answered);

    public static TheoryData<string> Sdks() => new(Lines().Select(l => l.Sdk).Distinct());

    [Theory]
    [MemberData(nameof(Sdks))]
    public async Task StoryAsTheOfficialSdkSentIt_AnsweredAsItShouldBe(string sdk)
    {
        var lines = Lines().Where(l => l.Sdk == sdk).ToList();
        var first = RequestTime(lines[0].Body);
        var appId = Envelope(lines[0].Body).GetProperty("appId").GetString()!;
        var merchantNo = Envelope(lines[0].Body).GetProperty("merchantNo").GetString()!;
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Merchants:2:AppId"] = appId,
            ["Gateway:Merchants:2:MerchantNo"] = merchantNo,
            ["Gateway:Merchants:2:PublicKey"] = TestKeys.MerchantPublic,
        }, new FakeTimeProvider(first));

        // Tokens in the captured bodies came from that run: each user's first saved card here stands in for it.
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var report = new StringBuilder();
        foreach (var line in lines)
        {
            var at = RequestTime(line.Body);
            if (at > gateway.Clock.GetUtcNow())
            {
                gateway.Clock.Advance(at - gateway.Clock.GetUtcNow());
            }

            var body = CapturedToken().Replace(line.Body, m => tokens.GetValueOrDefault(m.Value, m.Value));
            var bytes = Encoding.UTF8.GetBytes(body);
            var answer = await SendAsync(gateway, line, bytes);

            var data = Envelope(line.Body).GetProperty("data");
            var token = CapturedToken().Match(line.Body) is { Success: true } t ? t.Value : null;
            var expected = line.Answered switch
            {
                // Wrongly refused then; now an MIT without buyerInfo/terminalType is accepted, unless its card was removed.
                ResultCodes.ParamsInvalid => token is not null && removed.Contains(token) ? ResultCodes.TokenInvalid : ResultCodes.ApplySuccess,
                var code => code,
            };
            var what = data.TryGetProperty("outTradeNo", out var o) ? o.ToString() : data.GetProperty("userId").ToString();
            report.AppendLine($"{line.Api} {what}: expected {expected}, got {answer.Code} {answer.Msg}");
            answer.SignatureValid.ShouldBeTrue();
            answer.Code.ShouldBe(expected, report.ToString());

            if (line.Api == "orderQuery" && answer.Data.TryGetProperty("paymentDetails", out var details) && details[0].TryGetProperty("paymentTokenID", out var saved))
            {
                var user = lines.Select(l => Envelope(l.Body).GetProperty("data")).First(d => d.TryGetProperty("userId", out _) && d.TryGetProperty("outTradeNo", out var n) && n.ToString() == what).GetProperty("userId").GetString()!;
                foreach (var later in lines.Where(l => l.Body.Contains($"\"userId\":\"{user}\"", StringComparison.Ordinal) && CapturedToken().IsMatch(l.Body)))
                {
                    tokens.TryAdd(CapturedToken().Match(later.Body).Value, saved.GetString()!);
                }
            }

            if (line.Api == "removePaymentToken" && token is not null)
            {
                removed.Add(token);
            }
        }
    }

    private static async Task<GatewayAnswer> SendAsync(GatewayHost gateway, Captured line, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/aggregate-pay/api/gateway/{line.Api}") { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in line.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("sign", gateway.Merchant.Sign(body));
        using var response = await gateway.Http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var sign = response.Headers.TryGetValues("sign", out var values) ? values.Single() : null;
        return new GatewayAnswer(response.StatusCode, bytes, sign, Protocol.Signing.PayerMaxSignature.Verify(gateway.PlatformPublicKey, bytes, sign));
    }

    private static IEnumerable<Captured> Lines() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Captured", "official-sdk-requests.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<JsonElement>(l))
            .Select(e => new Captured(
                e.GetProperty("sdk").GetString()! + (e.GetProperty("body").GetString()!.Contains("_jt_", StringComparison.Ordinal) ? " (typed)" : ""),
                e.GetProperty("api").GetString()!,
                e.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                e.GetProperty("body").GetString()!,
                e.GetProperty("answered").GetString()!));

    private static JsonElement Envelope(string body) => JsonSerializer.Deserialize<JsonElement>(body);

    private static DateTimeOffset RequestTime(string body) => PayerMaxTime.TryParse(Envelope(body).GetProperty("requestTime").GetString(), out var t) ? t : throw new FormatException(body);

    [GeneratedRegex("PMTOKEN[0-9A-Za-z]+")]
    private static partial Regex CapturedToken();
}
