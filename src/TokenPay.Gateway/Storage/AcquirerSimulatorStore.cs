using TokenPay.Gateway.Acquiring;
using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>The acquirer simulator's durable memory: its decision per trade token, kept as a real acquirer keeps it.</summary>
internal sealed class AcquirerSimulatorStore(RelationalDatabase database)
{
    /// <summary>Records the decision for a trade token (the latest one wins).</summary>
    public async Task RecordDecisionAsync(string tradeToken, AuthorizationOutcome outcome, long decidedAt, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync("""
            INSERT INTO acquirer_simulator_decisions (trade_token, decision, code, message, reference, decided_at)
            VALUES (@tradeToken, @Decision, @Code, @Message, @Reference, @decidedAt)
            ON CONFLICT (trade_token) DO UPDATE SET decision = excluded.decision, code = excluded.code, message = excluded.message,
                                                    reference = excluded.reference, decided_at = excluded.decided_at;
            """, new { tradeToken, Decision = outcome.Decision.ToString(), outcome.Code, outcome.Message, outcome.Reference, decidedAt }, cancellationToken);
    }

    public Task<AuthorizationOutcome?> FindDecisionAsync(string tradeToken, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<AuthorizationOutcome>(
            "SELECT decision, code, message, reference FROM acquirer_simulator_decisions WHERE trade_token = @tradeToken;", new { tradeToken }, cancellationToken);

    /// <summary>Records the simulator's refund decision: its final outcome and when it settles.</summary>
    public async Task RecordRefundAsync(string refundTradeNo, RefundDecision final, string? message, long decidedAt, long settlesAt, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync("""
            INSERT INTO acquirer_simulator_decisions (trade_token, decision, message, decided_at, settles_at)
            VALUES (@refundTradeNo, @decision, @message, @decidedAt, @settlesAt);
            """, new { refundTradeNo, decision = final.ToString(), message, decidedAt, settlesAt }, cancellationToken);
    }

    public Task<SimulatedRefund?> FindRefundAsync(string refundTradeNo, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SimulatedRefund>(
            "SELECT decision AS final, message, settles_at FROM acquirer_simulator_decisions WHERE trade_token = @refundTradeNo;", new { refundTradeNo }, cancellationToken);
}

/// <summary>A refund as the simulator decided it: the final outcome, reported from <see cref="SettlesAt"/> on.</summary>
internal sealed record SimulatedRefund
{
    public required RefundDecision Final { get; init; }
    public string? Message { get; init; }
    public required long SettlesAt { get; init; }
}
