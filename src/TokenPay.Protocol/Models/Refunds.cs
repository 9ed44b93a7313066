namespace TokenPay.Protocol.Models;

/// <summary><c>refund</c> data: money back on a SUCCESS order, in full or in part.</summary>
public sealed record RefundRequest
{
    /// <summary>The merchant's refund number: letters, digits and '_', at most 64, unique per merchant case-insensitively.</summary>
    public required string OutRefundNo { get; init; }
    /// <summary>Amount in major units with at most the currency's minor digits; more than zero.</summary>
    public required decimal? RefundAmount { get; init; }
    /// <summary>The order's currency.</summary>
    public required string RefundCurrency { get; init; }
    /// <summary>The order to refund by the merchant's number (or give <see cref="TradeToken"/>).</summary>
    public string? OutTradeNo { get; init; }
    /// <summary>The order to refund by the gateway's trade token (or give <see cref="OutTradeNo"/>).</summary>
    public string? TradeToken { get; init; }
    /// <summary>Why (at most 512 characters).</summary>
    public string? Comments { get; init; }
    /// <summary>Where the REFUND notification goes; the merchant's configured refund URL when absent.</summary>
    public string? RefundNotifyUrl { get; init; }
}

/// <summary>What <c>refund</c> answers: the refund was accepted (REFUND_PENDING) or failed at once (REFUND_FAILED).</summary>
public sealed record RefundResult
{
    /// <summary>The merchant's refund number.</summary>
    public required string OutRefundNo { get; init; }
    /// <summary>The refunded order's trade token.</summary>
    public required string TradeOrderNo { get; init; }
    /// <summary>The gateway's refund number.</summary>
    public required string RefundTradeNo { get; init; }
    /// <summary>REFUND_PENDING or REFUND_FAILED (REFUND_SUCCESS when a repeated request finds it done).</summary>
    public required string Status { get; init; }
}

/// <summary><c>refundQuery</c> data: one of the two refund numbers (the .NET client refuses a request with neither).</summary>
public sealed record RefundQueryRequest
{
    /// <summary>The merchant's refund number.</summary>
    public string? OutRefundNo { get; init; }
    /// <summary>The gateway's refund number.</summary>
    public string? RefundTradeNo { get; init; }
}

/// <summary>A refund as <c>refundQuery</c> and the REFUND notification show it.</summary>
public sealed record RefundView
{
    /// <summary>The merchant's refund number.</summary>
    public required string OutRefundNo { get; init; }
    /// <summary>The gateway's refund number.</summary>
    public required string RefundTradeNo { get; init; }
    /// <summary>The refunded order.</summary>
    public required string OutTradeNo { get; init; }
    /// <summary>Amount in major units.</summary>
    public required decimal RefundAmount { get; init; }
    /// <summary>The order's currency.</summary>
    public required string RefundCurrency { get; init; }
    /// <summary>REFUND_PENDING, REFUND_SUCCESS or REFUND_FAILED.</summary>
    public required string Status { get; init; }
    /// <summary>Why a refund failed.</summary>
    public string? ResultMsg { get; init; }
    /// <summary>When the refund reached its final state (RFC 3339, UTC); absent while pending.</summary>
    public string? RefundFinishTime { get; init; }
}
