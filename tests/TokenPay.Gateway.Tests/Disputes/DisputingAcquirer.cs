using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Acquiring;
using TokenPay.Acquiring.Simulator;

namespace TokenPay.Gateway.Tests.Disputes;

/// <summary>
/// The acquirer at the edge with a scripted dispute feed: the real simulator decides payments and refunds, and the
/// test says which dispute reports the network sends (in any order, repeated), and whether evidence gets through.
/// </summary>
internal sealed class DisputingAcquirer(IAcquirer inner) : IAcquirer
{
    private readonly List<DisputeReport> _feed = [];

    /// <summary>Every answer passed on, in order.</summary>
    public ConcurrentQueue<DisputeEvidence> Evidence { get; } = new();

    /// <summary>While true, passing evidence on fails as a network would (a timeout).</summary>
    public bool EvidenceFails { get; set; }

    /// <summary>When the feed says its next report is due.</summary>
    public DateTimeOffset? NextReportAt { get; set; }

    public static Action<IServiceCollection> Install(Action<DisputingAcquirer> created) => services =>
        services.AddKeyedSingleton<IAcquirer>(SimulatorRegistration.Name, (sp, _) =>
        {
            var acquirer = new DisputingAcquirer(ActivatorUtilities.CreateInstance<AcquirerSimulator>(sp));
            created(acquirer);
            return acquirer;
        });

    /// <summary>The network sends this report (again, if it was sent before).</summary>
    public void Send(DisputeReport report)
    {
        lock (_feed)
        {
            _feed.Add(report);
        }
    }

    public int Unacknowledged
    {
        get
        {
            lock (_feed)
            {
                return _feed.Count;
            }
        }
    }

    public ValueTask<DisputeFeed> FindDisputeReportsAsync(int max, CancellationToken cancellationToken)
    {
        lock (_feed)
        {
            return ValueTask.FromResult(new DisputeFeed([.. _feed.Take(max)], NextReportAt));
        }
    }

    public ValueTask AcknowledgeDisputeReportsAsync(IReadOnlyList<string> reportIds, CancellationToken cancellationToken)
    {
        lock (_feed)
        {
            foreach (var id in reportIds)
            {
                _feed.Remove(_feed.First(r => r.ReportId == id));
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> SubmitDisputeEvidenceAsync(DisputeEvidence evidence, CancellationToken cancellationToken)
    {
        if (EvidenceFails)
        {
            throw new TimeoutException("The acquirer did not answer.");
        }

        Evidence.Enqueue(evidence);
        return ValueTask.FromResult(true);
    }

    public ValueTask<AuthorizationOutcome> AuthorizeAsync(AuthorizationRequest request, CancellationToken cancellationToken) => inner.AuthorizeAsync(request, cancellationToken);

    public ValueTask<AuthorizationOutcome?> InquireAsync(string tradeToken, CancellationToken cancellationToken) => inner.InquireAsync(tradeToken, cancellationToken);

    public ValueTask<RefundOutcome> RefundAsync(AcquirerRefundRequest request, CancellationToken cancellationToken) => inner.RefundAsync(request, cancellationToken);

    public ValueTask<RefundOutcome?> InquireRefundAsync(string refundTradeNo, CancellationToken cancellationToken) => inner.InquireRefundAsync(refundTradeNo, cancellationToken);

    public ValueTask<IReadOnlyList<CardUpdate>> FindCardUpdatesAsync(IReadOnlyList<CardOnFile> cards, CancellationToken cancellationToken) => inner.FindCardUpdatesAsync(cards, cancellationToken);
}
