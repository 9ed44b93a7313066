// The client's own per-call cost: serialize + sign + (HttpClient pipeline) + verify + parse, with the
// network replaced by a handler that returns a pre-signed answer. Run:
//   dotnet run -c Release --project bench/TokenPay.Client.Benchmarks -- --filter '*'
using System.Net;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using TokenPay.Client;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;
using TokenPay.Protocol.Signing;

BenchmarkSwitcher.FromAssembly(typeof(TokenPay.Client.Benchmarks.ClientCallBenchmarks).Assembly).Run(args);

namespace TokenPay.Client.Benchmarks
{
[MemoryDiagnoser]
public class ClientCallBenchmarks
{
    private static readonly string Vectors = Path.Combine(AppContext.BaseDirectory, "Vectors");
    private PayerMaxClient _client = null!;
    private OrderAndPayRequest _mit = null!;
    private byte[] _answer = null!;
    private string _answerSign = null!;
    private System.Security.Cryptography.RSA _merchantKey = null!;
    private System.Security.Cryptography.RSA _platformPublic = null!;

    [GlobalSetup]
    public void Setup()
    {
        var platformPrivate = RsaKeys.ImportPrivateKey(File.ReadAllText(Path.Combine(Vectors, "platform-private.pkcs8.b64")));
        _merchantKey = RsaKeys.ImportPrivateKey(File.ReadAllText(Path.Combine(Vectors, "merchant-private.pkcs8.b64")));
        _platformPublic = RsaKeys.ImportPublicKey(File.ReadAllText(Path.Combine(Vectors, "platform-public.spki.b64")));
        _answer = File.ReadAllBytes(Path.Combine(Vectors, "response-body.json"));
        _answerSign = PayerMaxSignature.Sign(platformPrivate, _answer);
        var options = new PayerMaxClientOptions
        {
            Environment = PayerMaxEnvironment.Custom,
            BaseUrl = new Uri("http://gateway.bench/"),
            AppId = "sandboxapp0000000000000000000001",
            MerchantNo = "SANDBOX00000001",
            MerchantPrivateKey = File.ReadAllText(Path.Combine(Vectors, "merchant-private.pkcs8.b64")),
            PlatformPublicKey = File.ReadAllText(Path.Combine(Vectors, "platform-public.spki.b64")),
        };
        _client = new PayerMaxClient(new HttpClient(new PreSignedAnswer(_answer, _answerSign)), new PayerMaxCredentials(options));
        _mit = PaymentRequests.UnscheduledMit(
            new OrderDetails("bench_0001", "Monthly top-up", 10m, "USD", "SA", "user_84645"),
            "PMTOKEN20261122075620657000000000001",
            new BuyerInfo { ClientIp = "203.0.113.7", UserAgent = "bench" });
    }

    /// <summary>One whole orderAndPay call as the application sees it.</summary>
    [Benchmark(Baseline = true)]
    public Task<PayerMaxResult<OrderAndPayResult>> OrderAndPayCall() => _client.OrderAndPayAsync(_mit);

    [Benchmark]
    public byte[] SerializeRequest() => JsonSerializer.SerializeToUtf8Bytes(
        new RequestEnvelope<OrderAndPayRequest> { Version = "1.4", KeyVersion = "1", RequestTime = "2026-11-22T07:56:20.657+00:00", AppId = "a", MerchantNo = "m", Data = _mit },
        PayerMaxJson.Options);

    [Benchmark]
    public string SignRequest() => PayerMaxSignature.Sign(_merchantKey, _answer);

    [Benchmark]
    public bool VerifyAnswer() => PayerMaxSignature.Verify(_platformPublic, _answer, _answerSign);

    [Benchmark]
    public ApiResponse<OrderAndPayResult>? ParseAnswer() => JsonSerializer.Deserialize<ApiResponse<OrderAndPayResult>>(_answer, PayerMaxJson.Options);

    private sealed class PreSignedAnswer(byte[] body, string sign) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
            response.Headers.TryAddWithoutValidation("sign", sign);
            return Task.FromResult(response);
        }
    }
}
}
