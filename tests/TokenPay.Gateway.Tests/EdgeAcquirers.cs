using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Acquiring;
using TokenPay.Acquiring.Simulator;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// The acquirer at the edge, wrapped: the real simulator decides, and the wrapper adds what a network does
/// (latency), records when each authorization was made, or makes the gateway die around the decision.
/// </summary>
internal sealed class WrappedAcquirer(IAcquirer inner, Func<AuthorizationRequest, AcquirerStep> step) : IAcquirer
{
    /// <summary>When each trade token was authorized (Stopwatch ticks, taken as the simulator was asked).</summary>
    public ConcurrentDictionary<string, long> AuthorizedAt { get; } = new();

    public static Action<IServiceCollection> Install(Func<AuthorizationRequest, AcquirerStep> step, Action<WrappedAcquirer>? created = null) => services =>
        services.AddKeyedSingleton<IAcquirer>(SimulatorRegistration.Name, (sp, _) =>
        {
            var wrapped = new WrappedAcquirer(ActivatorUtilities.CreateInstance<AcquirerSimulator>(sp), step);
            created?.Invoke(wrapped);
            return wrapped;
        });

    public async ValueTask<AuthorizationOutcome> AuthorizeAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        var plan = step(request);
        if (plan.Latency > TimeSpan.Zero)
        {
            await Task.Delay(plan.Latency, cancellationToken);
        }

        if (plan.Hold is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }

        if (plan.Crash == CrashPoint.BeforeDecision)
        {
            throw new GatewayDied();
        }

        AuthorizedAt[request.TradeToken] = Stopwatch.GetTimestamp();
        var outcome = await inner.AuthorizeAsync(request, cancellationToken);
        if (plan.HoldAfterDecision is { } decided)
        {
            await decided.WaitAsync(CancellationToken.None);
        }

        return plan.Crash == CrashPoint.AfterDecision ? throw new GatewayDied() : outcome;
    }

    public ValueTask<AuthorizationOutcome?> InquireAsync(string tradeToken, CancellationToken cancellationToken) => inner.InquireAsync(tradeToken, cancellationToken);

    /// <summary>Refunds die where <see cref="RefundCrash"/> says; otherwise the simulator decides.</summary>
    public CrashPoint RefundCrash { get; set; }

    public async ValueTask<RefundOutcome> RefundAsync(AcquirerRefundRequest request, CancellationToken cancellationToken)
    {
        if (RefundCrash == CrashPoint.BeforeDecision)
        {
            throw new GatewayDied();
        }

        var outcome = await inner.RefundAsync(request, cancellationToken);
        return RefundCrash == CrashPoint.AfterDecision ? throw new GatewayDied() : outcome;
    }

    public ValueTask<RefundOutcome?> InquireRefundAsync(string refundTradeNo, CancellationToken cancellationToken) => inner.InquireRefundAsync(refundTradeNo, cancellationToken);

    public ValueTask<IReadOnlyList<CardUpdate>> FindCardUpdatesAsync(IReadOnlyList<CardOnFile> cards, CancellationToken cancellationToken) => inner.FindCardUpdatesAsync(cards, cancellationToken);
}

/// <param name="Hold">The network takes until this task ends to decide (the test says when).</param>
/// <param name="HoldAfterDecision">The decision, made, reaches the gateway only when this task ends.</param>
internal readonly record struct AcquirerStep(TimeSpan Latency = default, CrashPoint Crash = CrashPoint.None, Task? Hold = null, Task? HoldAfterDecision = null);

internal enum CrashPoint
{
    None,

    /// <summary>The gateway dies after storing the order, before the acquirer heard of it.</summary>
    BeforeDecision,

    /// <summary>The gateway dies after the acquirer decided (and remembered), before the outcome is committed.</summary>
    AfterDecision,
}

/// <summary>Stands for the process dying at that point: nothing after it runs, the database keeps what was committed.</summary>
internal sealed class GatewayDied : Exception;
