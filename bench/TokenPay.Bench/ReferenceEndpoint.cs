using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenPay.Protocol.Signing;
using TokenPay.Storage;

namespace TokenPay.Bench;

/// <summary>
/// The practical ceiling of this machine for a signed API, run by the external bench as its own process:
/// Kestrel, read the body, verify its signature, one durable commit (the gateway's SQLite storage: WAL,
/// synchronous FULL, group commit), sign a fixed answer. Nothing else, so "gateway / reference" is our own cost.
/// With <c>--commits 3</c> it makes three durable commits one after another, as many as an MIT makes (the order,
/// the acquirer's decision, the outcome with its notification), so the MIT's cost splits into its commits and the rest.
///   dotnet TokenPay.Bench.dll reference (--db FILE | --postgres CONNECTION) [--commits N] --urls=http://127.0.0.1:PORT
/// </summary>
internal static class ReferenceEndpoint
{
    private static readonly byte[] Answer = """{"code":"APPLY_SUCCESS","msg":"Success.","data":{"accepted":true}}"""u8.ToArray();

    public static async Task<int> RunAsync(string[] args)
    {
        var commits = Array.IndexOf(args, "--commits") is var c and >= 0 ? int.Parse(args[c + 1], System.Globalization.CultureInfo.InvariantCulture) : 1;
        var storage = BenchDatabase.FromArguments(args);
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var vectors = Path.Combine(AppContext.BaseDirectory, "Vectors");
        using var merchantKey = RsaKeys.ImportPublicKey(File.ReadAllText(Path.Combine(vectors, "merchant-public.spki.b64")).Trim());
        using var platformKey = RsaKeys.ImportPrivateKey(File.ReadAllText(Path.Combine(vectors, "platform-private.pkcs8.b64")).Trim());
        var schema = new Schema("reference",
            [new Migration(1, "CREATE TABLE requests (id INTEGER PRIMARY KEY, length INTEGER NOT NULL, at INTEGER NOT NULL);")],
            [new Migration(1, "CREATE TABLE requests (id BIGSERIAL PRIMARY KEY, length INTEGER NOT NULL, at BIGINT NOT NULL);")],
            7001);
        await using var database = await RelationalDatabase.OpenMigratedAsync(storage, schema, "Reference", CancellationToken.None);

        var app = builder.Build();
        app.MapGet("/healthz", () => "Healthy");
        app.MapPost("/reference", async (HttpContext http) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                var length = 0;
                int read;
                while (length < buffer.Length && (read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted)) > 0)
                {
                    length += read;
                }

                if (!PayerMaxSignature.Verify(merchantKey, buffer.AsSpan(0, length), http.Request.Headers["sign"].ToString()))
                {
                    http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                for (var commit = 0; commit < commits; commit++)
                {
                    await database.ExecuteAsync("INSERT INTO requests (length, at) VALUES (@length, @at);", new { length, at = Environment.TickCount64 }, http.RequestAborted);
                }

                http.Response.ContentType = "application/json; charset=utf-8";
                http.Response.ContentLength = Answer.Length;
                http.Response.Headers["sign"] = PayerMaxSignature.Sign(platformKey, Answer);
                await http.Response.Body.WriteAsync(Answer, http.RequestAborted);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
        await app.RunAsync();
        return 0;
    }
}
