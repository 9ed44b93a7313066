using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenPay.Testing.PayerMaxSchema;

namespace TokenPay.Testing;

/// <summary>A notification as it arrived: the raw bytes and the sign header.</summary>
public sealed record ReceivedNotification(byte[] Body, string? Sign, string ContentType)
{
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
}

/// <summary>What the receiver answers: a status and body, or no answer at all (hang until the sender gives up).</summary>
public sealed record ReceiverReply(int Status, string Body, bool Hang = false)
{
    public static readonly ReceiverReply Ack = new(200, """{"code":"SUCCESS","msg":"Success"}""");
    public static readonly ReceiverReply ServerError = new(500, "oops");
    public static readonly ReceiverReply WrongBody = new(200, """{"code":"FAIL"}""");
    public static readonly ReceiverReply NoAnswer = new(0, "", Hang: true);
}

/// <summary>A merchant's notify endpoint on real HTTP at 127.0.0.1; answers per arrival number.</summary>
public sealed class NotificationReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedNotification> _received = new();
    private readonly Lock _checking = new();
    private int _checked;
    private readonly CancellationTokenSource _stopping = new();
    private int _count;

    private NotificationReceiver(WebApplication app) => _app = app;

    /// <summary>Answers arrival n (1-based) with reply(n).</summary>
    public Func<int, ReceiverReply> Reply { get; set; } = _ => ReceiverReply.Ack;

    public string Url { get; private set; } = "";

    /// <summary>What arrived; throws (failing the test that reads it) if any of it does not fit PayerMax's schema.</summary>
    public IReadOnlyList<ReceivedNotification> Received
    {
        get
        {
            var received = _received.ToArray();
            CheckShapes(received);
            return received;
        }
    }

    public static async Task<NotificationReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new NotificationReceiver(app);
        app.MapPost("/notify", receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/notify";
        return receiver;
    }

    /// <summary>Waits (bounded, real time) until at least <paramref name="count"/> notifications arrived.</summary>
    public async Task<IReadOnlyList<ReceivedNotification>> WaitForAsync(int count)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_received.Count < count)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Expected {count} notifications, got {_received.Count}.");
            }

            await Task.Delay(10);
        }

        return Received;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var reply = Reply(Interlocked.Increment(ref _count));
        _received.Enqueue(new ReceivedNotification(buffer.ToArray(), http.Request.Headers["sign"].ToString(), http.Request.ContentType ?? ""));
        if (reply.Hang)
        {
            await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token).Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(reply.Body);
    }

    // Every notification a test receives must be one PayerMax's schema allows; checked when the test reads them
    // (not while answering: a check must not slow the answer the gateway is timing), each once.
    private void CheckShapes(ReceivedNotification[] received)
    {
        lock (_checking)
        {
            for (; _checked < received.Length; _checked++)
            {
                if (PayerMaxSchemas.NotificationOf(NotifyType(received[_checked].Body)) is { } operation)
                {
                    PayerMaxSchemas.Check(operation, received[_checked].Body);
                }
            }
        }
    }

    private static string? NotifyType(byte[] body)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(body)?["notifyType"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        CheckShapes(_received.ToArray());
    }
}
