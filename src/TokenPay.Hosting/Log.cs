using Microsoft.Extensions.Logging;

namespace TokenPay.Hosting;

/// <summary>Every log message of the shared hosting parts, in one place so each EventId is unique.</summary>
internal static partial class Log
{
    // 1xxx: scheduled work (ScheduledWorkRunner).
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Scheduled work '{Work}' failed with {ExceptionType}; retrying on the next tick")]
    public static partial void ScheduledWorkFailed(this ILogger logger, string work, string? exceptionType);
}
