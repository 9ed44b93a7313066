using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Notifications;

/// <summary>The result of one delivery attempt.</summary>
internal sealed record SendResult(bool Acknowledged, int? HttpStatus, string? ResponseExcerpt, string? Error)
{
    /// <summary>Set when the notification was not sent but is to go at this time (no attempt is counted).</summary>
    public DateTimeOffset? PostponedTo { get; init; }

    public static SendResult Postponed(DateTimeOffset to) => new(false, null, null, null) { PostponedTo = to };
}

/// <summary>Sends a due notification to its merchant; the dispatcher records what came of it.</summary>
internal interface INotificationSender
{
    Task<SendResult> SendAsync(DueNotification notification, CancellationToken cancellationToken);
}

/// <summary>
/// Sends one signed notification: POST of the stored bytes with the platform signature in <c>sign</c>,
/// acknowledged only by HTTP 200 with <c>{"code":"SUCCESS"}</c>, within the timeout, redirects not followed.
/// </summary>
internal sealed class NotificationSender(HttpClient http, PlatformSigner signer, TimeProvider clock, IOptions<GatewayOptions> options) : INotificationSender
{
    public const int ExcerptBytes = 512;
    private readonly TimeSpan _timeout = options.Value.Notifications.Timeout;

    public static void ConfigureHandler(SocketsHttpHandler handler, bool allowPrivateNetworks)
    {
        handler.AllowAutoRedirect = false;
        handler.UseProxy = false;
        handler.UseCookies = false;
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2);
        handler.ConnectCallback = NetworkGuard.ConnectCallback(allowPrivateNetworks);
    }

    public Task<SendResult> SendAsync(DueNotification notification, CancellationToken cancellationToken) =>
        SendAsync(notification.Url, notification.Body, cancellationToken);

    /// <param name="signatureOver">Sign these bytes instead of the body (the sandbox's bad-signature rule).</param>
    public async Task<SendResult> SendAsync(string url, byte[] body, CancellationToken cancellationToken, byte[]? signatureOver = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
        {
            return new SendResult(false, null, null, "refused: the notify URL is not an absolute http(s) URL");
        }

        using var timeout = new CancellationTokenSource(_timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(PayerMaxSignature.HeaderName, signer.Sign(signatureOver ?? body));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var excerpt = await ReadExcerptAsync(response, linked.Token);
            var acknowledged = response.StatusCode == HttpStatusCode.OK && IsAck(excerpt);
            return new SendResult(acknowledged, (int)response.StatusCode, Encoding.UTF8.GetString(excerpt),
                acknowledged ? null : response.StatusCode == HttpStatusCode.OK ? "the answer was not {\"code\":\"SUCCESS\"}" : $"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new SendResult(false, null, null, $"timed out after {_timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex) when (ex.InnerException is NotifyTargetRefusedException refused)
        {
            return new SendResult(false, null, null, refused.Message);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(false, null, null, $"connection failed: {ex.HttpRequestError}");
        }
    }

    private static async Task<byte[]> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ExcerptBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }

    private static bool IsAck(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<NotificationAck>(body, PayerMaxJson.Options)?.Code == NotificationAck.SuccessCode;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
