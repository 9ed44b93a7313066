using TokenPay.Storage;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulator's disputes (docs/disputes.md): planned with the approval, raised with what was left of the
/// payment when their time came, and their stages as the gateway acknowledged them. Changes that follow from
/// the clock are written lazily by whoever asks first; each write only moves a case forward from what it read.
/// </summary>
internal sealed class SimulatorDisputeStore(RelationalDatabase database)
{
    private const string Columns = """
        case_id, trade_token, merchant_no, card_key, reason_category, reason_code, reason_message, currency, raise_at, reply_by,
        ruling_if_answered, withdraw_at, amount_minor, fee_minor, not_raised, answered_at, evidence_text, evidence_files,
        ruling, ruled_at, closed_at, cancelled_at
        """;

    // Raised and not yet final as the gateway knows it: no acknowledged Closed or Cancelled report.
    private const string Live = """
        amount_minor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM acquirer_simulator_dispute_acks a
            WHERE a.case_id = acquirer_simulator_disputes.case_id AND a.stage IN ('Closed', 'Cancelled'))
        """;

    /// <summary>Writes a case (planned or raised) inside the caller's transaction: the approval and its planned dispute are one write.</summary>
    public static Task InsertAsync(IWriteScope write, SimulatedDispute dispute, CancellationToken cancellationToken) =>
        write.ExecuteAsync($"""
            INSERT INTO acquirer_simulator_disputes ({Columns})
            VALUES (@CaseId, @TradeToken, @MerchantNo, @CardKey, @ReasonCategory, @ReasonCode, @ReasonMessage, @Currency, @RaiseAt, @ReplyBy,
                @RulingIfAnswered, @WithdrawAt, @AmountMinor, @FeeMinor, @NotRaised, @AnsweredAt, @EvidenceText, @EvidenceFiles,
                @Ruling, @RuledAt, @ClosedAt, @CancelledAt);
            """, dispute, cancellationToken);

    /// <summary>What an approved payment took, from which card; null when the simulator approved no such payment with an amount.</summary>
    public static Task<ApprovedPayment?> FindApprovedAsync(IWriteScope write, string tradeToken, CancellationToken cancellationToken) =>
        write.QueryFirstOrDefaultAsync<ApprovedPayment>("""
            SELECT merchant_no, card_key, card_brand, amount_minor, currency FROM acquirer_simulator_decisions
            WHERE trade_token = @tradeToken AND decision = 'Approved' AND amount_minor > 0 AND card_key IS NOT NULL;
            """, new { tradeToken }, cancellationToken);

    /// <summary>What is left of a payment to dispute at <paramref name="at"/>: the amount less the refunds decided by then and the cases not released.</summary>
    public static async Task<long> LeftToDisputeAsync(IWriteScope write, string tradeToken, long approvedMinor, long at, CancellationToken cancellationToken)
    {
        var refunded = await write.ScalarAsync<long>("""
            SELECT COALESCE(SUM(amount_minor), 0) FROM acquirer_simulator_decisions
            WHERE refund_of = @tradeToken AND decision = 'Refunded' AND decided_at <= @at;
            """, new { tradeToken, at }, cancellationToken);
        var disputed = await write.ScalarAsync<long>("""
            SELECT COALESCE(SUM(amount_minor), 0) FROM acquirer_simulator_disputes
            WHERE trade_token = @tradeToken AND amount_minor IS NOT NULL AND cancelled_at IS NULL AND (ruling IS NULL OR ruling = 'FAIL');
            """, new { tradeToken }, cancellationToken);
        return Math.Max(0, approvedMinor - refunded - disputed);
    }

    /// <summary>Raises the planned cases whose time has come (of one card and merchant when named), with what is left of their payments.</summary>
    public async Task RaiseDueAsync(long now, string? merchantNo, string? cardKey, CancellationToken cancellationToken)
    {
        var ofCard = merchantNo is null ? "" : "AND merchant_no = @merchantNo AND card_key = @cardKey";
        var due = await database.QueryAsync<SimulatedDispute>($"""
            SELECT {Columns} FROM acquirer_simulator_disputes
            WHERE amount_minor IS NULL AND not_raised = 0 AND raise_at <= @now {ofCard}
            ORDER BY raise_at;
            """, new { now, merchantNo, cardKey }, cancellationToken);
        foreach (var planned in due)
        {
            await database.WriteAsync(async write =>
            {
                var payment = await FindApprovedAsync(write, planned.TradeToken, cancellationToken);
                var left = payment is null ? 0 : await LeftToDisputeAsync(write, planned.TradeToken, payment.AmountMinor, planned.RaiseAt, cancellationToken);
                return await write.ExecuteAsync("""
                    UPDATE acquirer_simulator_disputes SET amount_minor = @amount, fee_minor = @fee, not_raised = @notRaised
                    WHERE case_id = @CaseId AND amount_minor IS NULL AND not_raised = 0;
                    """, new
                {
                    planned.CaseId,
                    amount = left > 0 ? left : (long?)null,
                    fee = left > 0 ? DisputeRules.FeeMinor(left, planned.Currency) : (long?)null,
                    notRaised = left == 0,
                }, cancellationToken);
            }, cancellationToken);
        }
    }

    /// <summary>The raised cases the gateway has not seen end yet, and the reports it acknowledged of them.</summary>
    public async Task<(IReadOnlyList<SimulatedDispute> Cases, IReadOnlySet<string> Acknowledged)> LiveAsync(CancellationToken cancellationToken)
    {
        var cases = await database.QueryAsync<SimulatedDispute>($"SELECT {Columns} FROM acquirer_simulator_disputes WHERE {Live};", null, cancellationToken);
        var acknowledged = await database.QueryAsync<string>(
            $"SELECT report_id FROM acquirer_simulator_dispute_acks WHERE case_id IN (SELECT case_id FROM acquirer_simulator_disputes WHERE {Live});", null, cancellationToken);
        return (cases, acknowledged.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>When the next planned case is raised after <paramref name="now"/>; null when none is planned.</summary>
    public Task<long?> NextRaiseAsync(long now, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<long?>(
            "SELECT MIN(raise_at) FROM acquirer_simulator_disputes WHERE amount_minor IS NULL AND not_raised = 0 AND raise_at > @now;", new { now }, cancellationToken);

    public Task<SimulatedDispute?> FindAsync(string caseId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SimulatedDispute>($"SELECT {Columns} FROM acquirer_simulator_disputes WHERE case_id = @caseId;", new { caseId }, cancellationToken);

    /// <summary>Keeps what <paramref name="advanced"/> reached beyond <paramref name="read"/>; false when another writer changed the case first.</summary>
    public async Task<bool> SaveProgressAsync(SimulatedDispute read, SimulatedDispute advanced, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("""
            UPDATE acquirer_simulator_disputes SET ruling = @Ruling, ruled_at = @RuledAt, closed_at = @ClosedAt, cancelled_at = @CancelledAt
            WHERE case_id = @CaseId AND COALESCE(ruled_at, -1) = @readRuledAt AND COALESCE(closed_at, -1) = @readClosedAt
              AND COALESCE(cancelled_at, -1) = @readCancelledAt AND COALESCE(answered_at, -1) = @readAnsweredAt;
            """, new
        {
            advanced.CaseId, advanced.Ruling, advanced.RuledAt, advanced.ClosedAt, advanced.CancelledAt,
            readRuledAt = read.RuledAt ?? -1, readClosedAt = read.ClosedAt ?? -1, readCancelledAt = read.CancelledAt ?? -1, readAnsweredAt = read.AnsweredAt ?? -1,
        }, cancellationToken) == 1;

    /// <summary>Takes the merchant's answer if the case has none, is not ruled or cancelled; true when this call took it.</summary>
    public async Task<bool> AnswerAsync(string caseId, string text, string files, long now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("""
            UPDATE acquirer_simulator_disputes SET answered_at = @now, evidence_text = @text, evidence_files = @files
            WHERE case_id = @caseId AND answered_at IS NULL AND ruled_at IS NULL AND cancelled_at IS NULL;
            """, new { caseId, text, files, now }, cancellationToken) == 1;

    /// <summary>Marks reports acknowledged (ids of no case are ignored).</summary>
    public async Task AcknowledgeAsync(IReadOnlyList<string> reportIds, long now, CancellationToken cancellationToken)
    {
        foreach (var reportId in reportIds.Distinct(StringComparer.Ordinal))
        {
            var separator = reportId.LastIndexOf(':');
            if (separator <= 0 || !Enum.TryParse<DisputeStage>(reportId[(separator + 1)..], out var stage) || SimulatedDispute.ReportId(reportId[..separator], stage) != reportId)
            {
                continue;
            }

            await database.ExecuteAsync("""
                INSERT INTO acquirer_simulator_dispute_acks (report_id, case_id, stage, acknowledged_at)
                SELECT @reportId, case_id, @stage, @now FROM acquirer_simulator_disputes WHERE case_id = @caseId
                ON CONFLICT (report_id) DO NOTHING;
                """, new { reportId, caseId = reportId[..separator], stage = stage.ToString(), now }, cancellationToken);
        }
    }

    /// <summary>Raises a case now on an approved payment with what is left of it: the case, or why not (no such payment, nothing left).</summary>
    public Task<(SimulatedDispute? Raised, bool PaymentFound)> RaiseNowAsync(string tradeToken, Func<ApprovedPayment, long, SimulatedDispute> raise, long now, CancellationToken cancellationToken) =>
        database.WriteAsync<(SimulatedDispute?, bool)>(async write =>
        {
            if (await FindApprovedAsync(write, tradeToken, cancellationToken) is not { } payment)
            {
                return (null, false);
            }

            var left = await LeftToDisputeAsync(write, tradeToken, payment.AmountMinor, now, cancellationToken);
            if (left == 0)
            {
                return (null, true);
            }

            var dispute = raise(payment, left);
            await InsertAsync(write, dispute, cancellationToken);
            return (dispute, true);
        }, cancellationToken);
}
