using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;

namespace TokenPay.Client;

/// <summary>Handles verified notifications. Throw to refuse: the platform then retries on its schedule.</summary>
public interface IPayerMaxNotificationHandler
{
    /// <summary>Applies the notification; returning normally acknowledges it.</summary>
    Task HandleAsync(PayerMaxNotification notification, CancellationToken cancellationToken);
}

/// <summary>
/// <c>MapPayerMaxNotifications</c>: an endpoint that reads the raw body, verifies it, calls the handler, and
/// answers <c>{"code":"SUCCESS","msg":"Success"}</c> only after the handler finished without error.
/// </summary>
public static class PayerMaxNotificationEndpoint
{
    private static readonly byte[] Ack = JsonSerializer.SerializeToUtf8Bytes(new NotificationAck { Code = NotificationAck.SuccessCode, Msg = "Success" }, PayerMaxJson.Options);

    /// <summary>Maps a POST endpoint whose notifications go to the registered <see cref="IPayerMaxNotificationHandler"/>.</summary>
    public static IEndpointConventionBuilder MapPayerMaxNotifications(this IEndpointRouteBuilder endpoints, string pattern) =>
        endpoints.MapPayerMaxNotifications(pattern, (notification, services, cancellationToken) =>
            services.GetRequiredService<IPayerMaxNotificationHandler>().HandleAsync(notification, cancellationToken));

    /// <summary>Maps a POST endpoint whose notifications go to <paramref name="handler"/> (with the request's services).</summary>
    public static IEndpointConventionBuilder MapPayerMaxNotifications(
        this IEndpointRouteBuilder endpoints, string pattern, Func<PayerMaxNotification, IServiceProvider, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(handler);
        return endpoints.MapPost(pattern, (HttpContext http) => HandleAsync(http, handler));
    }

    private static async Task HandleAsync(HttpContext http, Func<PayerMaxNotification, IServiceProvider, CancellationToken, Task> handler)
    {
        var services = http.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("TokenPay.Client.Notifications");
        var limit = services.GetRequiredService<IOptions<PayerMaxClientOptions>>().Value.MaxNotificationBytes;
        var body = await ReadBoundedAsync(http.Request, limit, http.RequestAborted);
        if (body is null)
        {
            await RefuseAsync(http, StatusCodes.Status413PayloadTooLarge, $"The body is larger than this endpoint accepts ({limit} bytes).");
            return;
        }

        var verification = services.GetRequiredService<PayerMaxNotificationVerifier>().Verify(body, http.Request.Headers["sign"]);
        if (verification.Notification is not { } notification)
        {
            logger.NotificationRefused(verification.FailureReason);
            await RefuseAsync(http, StatusCodes.Status401Unauthorized, verification.FailureReason!);
            return;
        }

        try
        {
            await handler(notification, services, http.RequestAborted);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Not acknowledged: the platform will send it again.
            var outTradeNo = notification.Payment?.OutTradeNo ?? notification.Refund?.OutTradeNo ?? notification.Chargeback?.OutTradeNo;
            logger.NotificationHandlerFailed(notification.NotifyType, outTradeNo, ex.GetType().FullName);
            await RefuseAsync(http, StatusCodes.Status500InternalServerError, "The notification could not be processed.");
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(Ack, http.RequestAborted);
    }

    private static async Task RefuseAsync(HttpContext http, int status, string reason)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new NotificationAck { Code = "FAIL", Msg = reason }, PayerMaxJson.Options), http.RequestAborted);
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
