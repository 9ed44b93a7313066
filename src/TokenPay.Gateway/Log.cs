namespace TokenPay.Gateway;

/// <summary>
/// Every log message of the gateway, in one place so each EventId is unique and an operator can filter on it.
/// Ids are grouped by area. Messages name codes, ids, exception types and masked cards: never card data, keys,
/// signatures, link secrets or the message text of a lower layer's exception.
/// </summary>
internal static partial class Log
{
    // 10xx: the API road (GatewayApi): failures, refusals and client faults.
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "API request {Path} failed with {ExceptionType}: {StackTrace}")]
    public static partial void ApiOperationFailed(this ILogger logger, PathString path, string? exceptionType, string? stackTrace);

    // Refusal messages are the gateway's own text naming the field; they never carry card data, keys or signatures.
    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "API request {Path} refused for app {AppId}: {Code} {Reason}")]
    public static partial void ApiRequestRefused(this ILogger logger, PathString path, string code, string reason, string appId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "API request {Path}: client fault {Status}: {Reason}")]
    public static partial void ApiClientFault(this ILogger logger, PathString path, int status, string reason);

    // 1100: the per-request line (category TokenPay.Gateway.Requests, off unless enabled).
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {Code} {ElapsedMs:0.0} ms")]
    public static partial void RequestAnswered(this ILogger logger, string method, string path, int status, string code, double elapsedMs);

    // 12xx: start-up.
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "TokenPay gateway ready. Platform public key (base64 SPKI): {PublicKey}")]
    public static partial void GatewayReady(this ILogger logger, string publicKey);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "No Gateway:PlatformPrivateKey configured: using the key generated on first start and kept in the database.")]
    public static partial void PlatformKeyGenerated(this ILogger logger);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "No Gateway:Vault:Keys configured: card data is sealed with a key kept in the same database. Fine for local use only.")]
    public static partial void VaultKeyGenerated(this ILogger logger);

    // 21xx: payments with the acquirer.
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Order {TradeToken}: the acquirer did not answer in time; the order stays PENDING until recovery asks the acquirer")]
    public static partial void AcquirerTimedOut(this ILogger logger, string tradeToken);

    // 22xx: scheduled sweeps of pending orders and refunds, and the dispute intake.
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Pending-order sweep: {Recovered} settled with the acquirer, {Closed} expired orders ended")]
    public static partial void PendingOrdersSwept(this ILogger logger, int recovered, int closed);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Refund settlement: {Ended} pending refunds ended")]
    public static partial void PendingRefundsSettled(this ILogger logger, int ended);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Dispute intake: {Changed} case changes recorded, {Forwarded} answers passed on")]
    public static partial void DisputesTaken(this ILogger logger, int changed, int forwarded);

    // 23xx: saved cards, refunds and disputes with the acquirer.
    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Token {PaymentTokenId}: the issuer changed the card ({Change}); now {MaskedCard}")]
    public static partial void CardUpdated(this ILogger logger, string paymentTokenId, string change, string maskedCard);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Refund {RefundTradeNo}: the acquirer did not answer ({ExceptionType}); it stays pending and is asked about later")]
    public static partial void RefundAcquirerFailed(this ILogger logger, string refundTradeNo, string? exceptionType);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Dispute report {ReportId} of acquirer {Acquirer} names a trade the gateway does not know; it is acknowledged and not recorded")]
    public static partial void DisputeForUnknownTrade(this ILogger logger, string reportId, string acquirer);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Warning, Message = "Case {CaseId}: the acquirer did not take the answer ({ExceptionType}); it is sent again later")]
    public static partial void DisputeEvidenceFailed(this ILogger logger, string caseId, string? exceptionType);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Warning, Message = "Case {CaseId}: the acquirer no longer takes an answer (ruled, cancelled or past its deadline)")]
    public static partial void DisputeEvidenceRefused(this ILogger logger, string caseId);

    // 24xx: notification delivery.
    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "Notification {NotificationId} failed after {Attempts} attempts; an operator can re-send it")]
    public static partial void NotificationGaveUp(this ILogger logger, long notificationId, int attempts);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Error, Message = "Notification dispatch failed with {ExceptionType}: {StackTrace}")]
    public static partial void NotificationDispatchFailed(this ILogger logger, string? exceptionType, string? stackTrace);
}
