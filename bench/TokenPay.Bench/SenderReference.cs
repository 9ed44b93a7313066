using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenPay.Protocol.Signing;
using TokenPay.Storage;

namespace TokenPay.Bench;

/// <summary>
/// The practical floor of a notification, the drain's counterpart of <see cref="ReferenceEndpoint"/>, run by the
/// external bench as its own process: sign a notification-sized body, POST it to the receiver, read the answer;
/// with <c>record=true</c> also one durable commit each (the gateway's storage, as an attempt's record). Nothing
/// else, so "dispatcher / sender reference" is the outbox's own cost.
///   dotnet TokenPay.Bench.dll sender (--db FILE | --postgres CONNECTION) --urls=http://127.0.0.1:PORT
///   POST /send?url=RECEIVER&amp;count=N&amp;concurrency=C&amp;record=true|false  (answers when all N are answered)
/// </summary>
internal static class SenderReference
{
    // A PAYMENT notification as the gateway sends it, in size and shape.
    private static readonly byte[] Body = """{"code":"APPLY_SUCCESS","msg":"Success.","keyVersion":"1","appId":"benchapp","merchantNo":"BENCH0001","notifyTime":"2026-12-07T10:00:00.000+00:00","notifyType":"PAYMENT","data":{"outTradeNo":"bench_sender","tradeToken":"T2026120710000000000000001","totalAmount":"10.00","currency":"USD","country":"US","status":"SUCCESS","channelNo":"BENCH0001","paymentDetails":[{"paymentMethodType":"CARD","targetOrg":"VISA","cardInfo":{"cardOrg":"VISA","cardIdentifierNo":"444433******1111","cardIdentifierName":"Bench User","country":"US"},"paymentTokenID":"PMTOKEN20261207100000000000001"}],"resultMsg":"Success.","completeTime":"2026-12-07T10:00:00.000+00:00"}}"""u8.ToArray();

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        using var platformKey = RsaKeys.ImportPrivateKey(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "platform-private.pkcs8.b64")).Trim());
        var schema = new Schema("sender",
            [new Migration(1, "CREATE TABLE attempts (id INTEGER PRIMARY KEY, status INTEGER NOT NULL, at INTEGER NOT NULL);")],
            [new Migration(1, "CREATE TABLE attempts (id BIGSERIAL PRIMARY KEY, status INTEGER NOT NULL, at BIGINT NOT NULL);")],
            7002);
        await using var database = await RelationalDatabase.OpenMigratedAsync(BenchDatabase.FromArguments(args), schema, "Sender", CancellationToken.None);
        // As the gateway's notification client: no redirects, proxy or cookies, connections kept.
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

        var app = builder.Build();
        app.MapGet("/healthz", () => "Healthy");
        app.MapPost("/send", async (string url, int count, int concurrency, bool record) =>
        {
            var acknowledged = 0;
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, cancellationToken) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.TryAddWithoutValidation(PayerMaxSignature.HeaderName, PayerMaxSignature.Sign(platformKey, Body));
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var answer = ArrayPool<byte>.Shared.Rent(512);
                try
                {
                    // The whole answer is read, as the dispatcher reads its excerpt of it.
                    await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                    while (await stream.ReadAsync(answer, cancellationToken) > 0)
                    {
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(answer);
                }

                if (record)
                {
                    await database.ExecuteAsync("INSERT INTO attempts (status, at) VALUES (@status, @at);", new { status = (int)response.StatusCode, at = Environment.TickCount64 }, cancellationToken);
                }

                Interlocked.Increment(ref acknowledged);
            });
            return acknowledged.ToString(CultureInfo.InvariantCulture);
        });
        await app.RunAsync();
        return 0;
    }
}
