using TokenPay.Acquiring;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Disputes;

/// <summary>
/// A case's life (docs/disputes.md): statuses move only forward (INQUIRY, RECEIVED, END, CLOSED; CANCEL only
/// from an open case), and the order's money follows: open cases freeze, lost ones are charged back, won or
/// cancelled ones are released.
/// </summary>
internal static class DisputeLifecycle
{
    public static string StatusOf(DisputeStage stage) => stage switch
    {
        DisputeStage.Raised => DisputeStatuses.Inquiry,
        DisputeStage.Ruled => DisputeStatuses.End,
        DisputeStage.Closed => DisputeStatuses.Closed,
        _ => DisputeStatuses.Cancelled,
    };

    /// <summary>The ruling a report carries; a ruling without a winner named counts as lost (the network kept the money).</summary>
    public static string? ResultOf(DisputeReport report) => report.Stage switch
    {
        DisputeStage.Ruled or DisputeStage.Closed => report.MerchantWon == true ? CaseResults.Win : CaseResults.Fail,
        _ => null,
    };

    public static bool IsOpen(string status) => status is DisputeStatuses.Inquiry or DisputeStatuses.Received;

    /// <summary>True when a case in <paramref name="from"/> may move to <paramref name="to"/>: forward only, never out of a final status.</summary>
    public static bool CanMove(string from, string to) =>
        from is not (DisputeStatuses.Closed or DisputeStatuses.Cancelled)
        && (to == DisputeStatuses.Cancelled ? IsOpen(from) : Rank(to) > Rank(from));

    /// <summary>What a new case recorded in <paramref name="status"/> does to the order's money.</summary>
    public static DisputeMoney ForNewCase(string status, string? result) =>
        IsOpen(status) ? DisputeMoney.Freeze : result == CaseResults.Fail && status != DisputeStatuses.Cancelled ? DisputeMoney.ChargeBack : DisputeMoney.None;

    /// <summary>What moving a case from <paramref name="from"/> to <paramref name="to"/> does to the order's money.</summary>
    public static DisputeMoney ForMove(string from, string to, string? result) =>
        !IsOpen(from) || IsOpen(to) ? DisputeMoney.None
        : to != DisputeStatuses.Cancelled && result == CaseResults.Fail ? DisputeMoney.FrozenToChargedBack
        : DisputeMoney.Release;

    private static int Rank(string status) => status switch
    {
        DisputeStatuses.Inquiry => 0,
        DisputeStatuses.Received => 1,
        DisputeStatuses.End => 2,
        _ => 3,
    };
}
