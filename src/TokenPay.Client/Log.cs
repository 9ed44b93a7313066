using Microsoft.Extensions.Logging;

namespace TokenPay.Client;

/// <summary>
/// Every log message of the client, in one place so each EventId is unique and an application can filter on it.
/// Messages name operations, codes and exception types, never card data, keys or signatures.
/// </summary>
internal static partial class Log
{
    // 1xxx: calls to PayerMax (PayerMaxClient).
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "PayerMax {Api} answered {Code} in {ElapsedMs:0.0} ms")]
    public static partial void Answered(this ILogger logger, string api, string code, double elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "PayerMax {Api} attempt {Attempt} failed ({Reason}); retrying")]
    public static partial void Retrying(this ILogger logger, string api, int attempt, string reason);

    // 2xxx: notifications received (PayerMaxNotificationEndpoint).
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Refused a PayerMax notification: {Reason}")]
    public static partial void NotificationRefused(this ILogger logger, string? reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "The {NotifyType} notification for order {OutTradeNo} was not acknowledged: the handler threw {ExceptionType}")]
    public static partial void NotificationHandlerFailed(this ILogger logger, string notifyType, string? outTradeNo, string? exceptionType);
}
