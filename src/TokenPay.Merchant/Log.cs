namespace TokenPay.Merchant;

/// <summary>
/// Every log message of the merchant service, in one place so each EventId is unique and an operator can filter on
/// it. Ids are grouped by area; the messages name exception types and ids, never card data, keys or links.
/// </summary>
internal static partial class Log
{
    // 1xxx: charges (ChargeService).
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Charge {OutTradeNo}: outcome unknown after {Failure}; settling by order number")]
    public static partial void ChargeOutcomeUnknown(this ILogger logger, string outTradeNo, string failure);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Charge {OutTradeNo}: the gateway could not be reached; nothing was sent")]
    public static partial void ChargeNotSent(this ILogger logger, string outTradeNo);

    // 2xxx: refunds (RefundService).
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Refund {OutRefundNo}: outcome unknown after {Failure}; settling by refund number")]
    public static partial void RefundOutcomeUnknown(this ILogger logger, string outRefundNo, string failure);

    // 3xxx: smart retries of declined charges (ChargeRetrier).
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Sent {Sent} charge retries: {Succeeded} succeeded, {Declined} declined")]
    public static partial void ChargeRetriesSent(this ILogger logger, int sent, int succeeded, int declined);

    // 4xxx: reconciliation of open payments and refunds (Reconciler).
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Reconciled {Checked} open payments, {Settled} settled")]
    public static partial void Reconciled(this ILogger logger, int @checked, int settled);

    // 5xxx: dispute cases (DisputeSync).
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Read {Read} dispute cases with caseList, {Changed} new or moved on")]
    public static partial void DisputesSynced(this ILogger logger, int read, int changed);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Dispute cases were not reconciled with caseList: {Failure}")]
    public static partial void DisputeSyncFailed(this ILogger logger, string failure);
}
