using System.Collections.Concurrent;
using TokenPay.Acquiring;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// An acquirer with the sandbox's acquirer rules in front of it (<see cref="FaultKinds"/>): scripted declines,
/// added latency, an approval whose answer never reaches the gateway (the order stays PENDING until recovery
/// asks), and a decision held PENDING until a set time. Approvals are still the real acquirer's, so network
/// transaction ids, refunds and inquiries stay consistent.
/// </summary>
internal sealed class FaultyAcquirer(IAcquirer inner, FaultRules rules, OrderStore orders, TimeProvider clock) : IAcquirer
{
    // Decisions held back by acquirer.pending-until, by trade token: released once the sandbox clock reaches them.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _heldUntil = new();

    public async ValueTask<AuthorizationOutcome> AuthorizeAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        if (!rules.Any)
        {
            return await inner.AuthorizeAsync(request, cancellationToken);
        }

        var context = await ContextOfAsync(request.TradeToken, request.MerchantNo, cancellationToken);
        if (rules.Take(FaultKinds.AcquirerLatency, context) is { } slow)
        {
            await Task.Delay(slow.Rule.Latency!.Value, clock, cancellationToken);
        }

        if (rules.Take(FaultKinds.AcquirerOutcomes, context) is { } scripted && scripted.Rule.OutcomeOf(scripted.Firing) is { Approve: false } decline)
        {
            return AuthorizationOutcome.Declined(decline.Code!, decline.Message!, decline.Advice);
        }

        var outcome = await inner.AuthorizeAsync(request, cancellationToken);
        if (rules.Take(FaultKinds.AcquirerTimeoutAfterApproval, context) is not null)
        {
            // The money moved but the answer is lost: the gateway sees its wait for the acquirer end (without waiting it out).
            throw new OperationCanceledException("The acquirer's answer was lost by a sandbox fault rule.");
        }

        if (rules.Take(FaultKinds.AcquirerPendingUntil, context) is { } held && outcome.Decision is not AuthorizationDecision.ChallengeRequired)
        {
            _heldUntil[request.TradeToken] = held.Rule.Until!.Value;
            return AuthorizationOutcome.StillPending;
        }

        return outcome;
    }

    public async ValueTask<AuthorizationOutcome?> InquireAsync(string tradeToken, CancellationToken cancellationToken)
    {
        if (_heldUntil.TryGetValue(tradeToken, out var until))
        {
            if (clock.GetUtcNow() < until)
            {
                return AuthorizationOutcome.StillPending;
            }

            _heldUntil.TryRemove(tradeToken, out _);
        }

        return await inner.InquireAsync(tradeToken, cancellationToken);
    }

    public ValueTask<RefundOutcome> RefundAsync(AcquirerRefundRequest request, CancellationToken cancellationToken) => inner.RefundAsync(request, cancellationToken);

    public ValueTask<RefundOutcome?> InquireRefundAsync(string refundTradeNo, CancellationToken cancellationToken) => inner.InquireRefundAsync(refundTradeNo, cancellationToken);

    public ValueTask<IReadOnlyList<CardUpdate>> FindCardUpdatesAsync(IReadOnlyList<CardOnFile> cards, CancellationToken cancellationToken) => inner.FindCardUpdatesAsync(cards, cancellationToken);

    public ValueTask<DisputeFeed> FindDisputeReportsAsync(int max, CancellationToken cancellationToken) => inner.FindDisputeReportsAsync(max, cancellationToken);

    public ValueTask AcknowledgeDisputeReportsAsync(IReadOnlyList<string> reportIds, CancellationToken cancellationToken) => inner.AcknowledgeDisputeReportsAsync(reportIds, cancellationToken);

    public ValueTask<bool> SubmitDisputeEvidenceAsync(DisputeEvidence evidence, CancellationToken cancellationToken) => inner.SubmitDisputeEvidenceAsync(evidence, cancellationToken);

    private async Task<FaultContext> ContextOfAsync(string tradeToken, string merchantNo, CancellationToken cancellationToken) =>
        await orders.FindByTradeTokenAsync(merchantNo, tradeToken, cancellationToken) is { } order
            ? new FaultContext(merchantNo, order.UserId, order.OutTradeNo)
            : new FaultContext(merchantNo, null, null);
}
