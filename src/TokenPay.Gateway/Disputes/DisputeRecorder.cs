using System.Globalization;
using System.Text.Json;
using TokenPay.Acquiring;
using TokenPay.Gateway.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Notifications;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Disputes;

/// <summary>
/// Writes every change of a case: a network's report (<see cref="ApplyAsync"/>) and the merchant's answer
/// (<see cref="AnswerAsync"/>), each with its timeline row, the order's money and the CHARGEBACK notification,
/// built before the write from the case as read; when the case or the order changed meanwhile, it reads again.
/// Then it passes answers on to the acquirer (<see cref="ForwardEvidenceAsync"/>).
/// </summary>
internal sealed class DisputeRecorder(
    DisputeStore disputes,
    OrderStore orders,
    AcquirerRouter acquirers,
    NotificationFactory notifications,
    NotificationSignal dispatcherSignal,
    TimeProvider clock,
    ILogger<DisputeRecorder> logger)
{
    private const int Attempts = 5;

    /// <summary>Records one report of <paramref name="acquirer"/>; true when it changed something (false: known already, or older than the case).</summary>
    public async Task<bool> ApplyAsync(string acquirer, DisputeReport report, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var existing = await disputes.FindByAcquirerCaseAsync(acquirer, report.CaseId, cancellationToken);
            var change = existing is null ? await RaiseAsync(acquirer, report, cancellationToken) : Follow(existing, acquirer, report);
            if (change is null)
            {
                return false;
            }

            var outcome = await disputes.WriteAsync(change, cancellationToken);
            if (outcome != DisputeWriteOutcome.Stale)
            {
                return Written(outcome, change);
            }
        }

        throw new InvalidOperationException($"Dispute report {report.ReportId} could not be recorded: its case kept changing.");
    }

    /// <summary>Records the merchant's answer to a DISPUTE_INQUIRY case read as <paramref name="dispute"/>; the outcome says whether it was written.</summary>
    public async Task<DisputeWriteOutcome> AnswerAsync(DisputeRecord dispute, string text, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var answered = dispute with
        {
            Status = DisputeStatuses.Received,
            AnswerText = text,
            AnswerFiles = JsonSerializer.Serialize(files),
            AnsweredAt = now,
            UpdatedAt = now,
        };
        var change = new DisputeChange(answered, DisputeStatuses.Inquiry, AnswerId(dispute.CaseId), DisputeStatuses.Received, null, now, Moves: true,
            DisputeMoney.None, notifications.ForCase(answered));
        var outcome = await disputes.WriteAsync(change, cancellationToken);
        Written(outcome, change);
        return outcome;
    }

    /// <summary>The answer's evidence files, as the case stores them.</summary>
    public static IReadOnlyList<string> FilesOf(DisputeRecord dispute) =>
        dispute.AnswerFiles is { } files ? JsonSerializer.Deserialize<string[]>(files) ?? [] : [];

    /// <summary>
    /// Passes an answered case's evidence on to its acquirer. A failure leaves it waiting: the intake sends it again
    /// (the merchant was already told the answer was taken). An acquirer that no longer takes it has answered for good.
    /// </summary>
    public async Task<bool> ForwardEvidenceAsync(DisputeRecord dispute, CancellationToken cancellationToken)
    {
        var evidence = new DisputeEvidence(dispute.AcquirerCaseId, dispute.AnswerText ?? "", FilesOf(dispute), DateTimeOffset.FromUnixTimeMilliseconds(dispute.AnsweredAt!.Value));
        try
        {
            if (!await acquirers.Get(dispute.Acquirer).SubmitDisputeEvidenceAsync(evidence, cancellationToken))
            {
                logger.DisputeEvidenceRefused(dispute.CaseId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.DisputeEvidenceFailed(dispute.CaseId, ex.GetType().FullName);
            return false;
        }

        await disputes.MarkEvidenceForwardedAsync(dispute.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return true;
    }

    private bool Written(DisputeWriteOutcome outcome, DisputeChange change)
    {
        if (outcome != DisputeWriteOutcome.Applied)
        {
            return false;
        }

        if (change.Notification is not null)
        {
            dispatcherSignal.Notify();
        }

        return change.Moves;
    }

    // A case the gateway has not seen: recorded in the report's status, freezing (or taking back) what the order has left.
    private async Task<DisputeChange?> RaiseAsync(string acquirer, DisputeReport report, CancellationToken cancellationToken)
    {
        if (await orders.FindForAcquirerAsync(report.TradeToken, cancellationToken) is not { } order)
        {
            logger.DisputeForUnknownTrade(report.ReportId, acquirer);
            return null;
        }

        var now = clock.GetUtcNow();
        var status = DisputeLifecycle.StatusOf(report.Stage);
        var result = DisputeLifecycle.ResultOf(report);
        var raised = new DisputeRecord
        {
            CaseId = TradeIds.CaseId(now),
            Acquirer = acquirer,
            AcquirerCaseId = report.CaseId,
            OrderId = order.Id,
            MerchantNo = order.MerchantNo,
            AppId = order.AppId,
            ReasonCategory = report.ReasonCategory,
            ReasonCode = report.ReasonCode,
            ReasonMessage = report.ReasonMessage,
            AmountMinor = Math.Clamp(report.AmountMinor, 0, Math.Max(order.LeftMinor, 0)),
            FeeMinor = report.FeeMinor,
            Currency = order.Currency,
            Status = status,
            CaseResult = result,
            RetrievalDate = report.RaisedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ExpirationDate = report.ReplyBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            CreatedAt = now.ToUnixTimeMilliseconds(),
            UpdatedAt = now.ToUnixTimeMilliseconds(),
            OutTradeNo = order.OutTradeNo,
            TradeToken = order.TradeToken,
            AcquirerReference = order.AcquirerReference,
            UserId = order.UserId,
            PaymentTokenId = order.PaymentTokenId,
            OrderAmountMinor = order.AmountMinor,
            Country = order.Country,
            Subject = order.Subject,
            OrderCreatedAt = order.CreatedAt,
            OrderCompletedAt = order.CompletedAt,
            Brand = order.Card?.Brand,
        };
        return new DisputeChange(raised, null, ReportKey(acquirer, report), status, result, report.HappenedAt.ToUnixTimeMilliseconds(), Moves: true,
            DisputeLifecycle.ForNewCase(status, result), notifications.ForCase(raised));
    }

    // A report on a known case: it moves the case forward, or (older than the case's state) only joins its timeline.
    private DisputeChange Follow(DisputeRecord dispute, string acquirer, DisputeReport report)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var status = DisputeLifecycle.StatusOf(report.Stage);
        var result = DisputeLifecycle.ResultOf(report);
        var key = ReportKey(acquirer, report);
        var happenedAt = report.HappenedAt.ToUnixTimeMilliseconds();
        if (!DisputeLifecycle.CanMove(dispute.Status, status))
        {
            return new DisputeChange(dispute with { UpdatedAt = now }, dispute.Status, key, status, result, happenedAt, Moves: false, DisputeMoney.None, null);
        }

        var moved = dispute with { Status = status, CaseResult = result ?? dispute.CaseResult, UpdatedAt = now };
        return new DisputeChange(moved, dispute.Status, key, status, result, happenedAt, Moves: true,
            DisputeLifecycle.ForMove(dispute.Status, status, moved.CaseResult), notifications.ForCase(moved));
    }

    // Report ids are the acquirer's: two acquirers may use the same one.
    private static string ReportKey(string acquirer, DisputeReport report) => $"{acquirer}:{report.ReportId}";

    // The merchant's answer is one timeline row per case: a second one is refused by the row's unique id.
    private static string AnswerId(string caseId) => $"answer:{caseId}";
}
