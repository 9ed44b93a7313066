using System.Data.Common;
using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// Dispute cases (docs/disputes.md). Each change of a case is one transaction: the case, its timeline row (unique
/// by report id, so a repeated report is written once), the order's frozen or charged-back amount (checked with its
/// refunds in one conditional UPDATE) and the CHARGEBACK notification. A case moves only from the status it was
/// read in, so concurrent writers (nodes, the merchant's answer) never overwrite each other.
/// </summary>
internal sealed class DisputeStore(RelationalDatabase database)
{
    private const string SelectWithOrder = """
        SELECT d.*, o.out_trade_no, o.trade_token, o.acquirer_reference, o.user_id, o.payment_token_id, o.amount_minor AS order_amount_minor,
               o.country, o.subject, o.created_at AS order_created_at, o.completed_at AS order_completed_at, c.brand
        FROM disputes d JOIN orders o ON o.id = d.order_id LEFT JOIN vault_cards c ON c.id = o.card_id
        """;

    /// <summary>A case by its id: of <paramref name="merchantNo"/>, or of any merchant when null (the sandbox's triggers).</summary>
    public async Task<DisputeRecord?> FindAsync(string? merchantNo, string caseId, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<DisputeRecord>($"{SelectWithOrder} WHERE d.case_id = @caseId AND (CAST(@merchantNo AS TEXT) IS NULL OR d.merchant_no = @merchantNo);",
            new { merchantNo, caseId }, cancellationToken);

    public async Task<DisputeRecord?> FindByAcquirerCaseAsync(string acquirer, string acquirerCaseId, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync<DisputeRecord>($"{SelectWithOrder} WHERE d.acquirer = @acquirer AND d.acquirer_case_id = @acquirerCaseId;",
            new { acquirer, acquirerCaseId }, cancellationToken);

    /// <summary>A merchant's cases changed after <paramref name="afterChange"/>, oldest change first (caseList).</summary>
    public Task<IReadOnlyList<DisputeRecord>> ListChangedAsync(string merchantNo, string? outTradeNo, long afterChange, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<DisputeRecord>($"""
            {SelectWithOrder}
            WHERE d.merchant_no = @merchantNo AND d.change_seq > @afterChange AND (CAST(@outTradeNoKey AS TEXT) IS NULL OR o.out_trade_no_key = @outTradeNoKey)
            ORDER BY d.change_seq LIMIT @limit;
            """, new { merchantNo, afterChange, outTradeNoKey = outTradeNo?.ToUpperInvariant(), limit }, cancellationToken);

    /// <summary>Answered cases whose evidence has not reached the acquirer yet, oldest answer first.</summary>
    public Task<IReadOnlyList<DisputeRecord>> FindEvidenceWaitingAsync(int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<DisputeRecord>($"{SelectWithOrder} WHERE d.answered_at IS NOT NULL AND d.evidence_forwarded_at IS NULL ORDER BY d.answered_at LIMIT @limit;",
            new { limit }, cancellationToken);

    public Task MarkEvidenceForwardedAsync(long disputeId, long at, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE disputes SET evidence_forwarded_at = @at WHERE id = @disputeId AND evidence_forwarded_at IS NULL;", new { disputeId, at }, cancellationToken);

    /// <summary>Writes one change of a case (<see cref="DisputeChange"/>) in one transaction, or nothing.</summary>
    public async Task<DisputeWriteOutcome> WriteAsync(DisputeChange change, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var outcome = await TryWriteAsync(write, change, cancellationToken);
        if (outcome != DisputeWriteOutcome.Applied)
        {
            await write.RollbackAsync();
            return outcome;
        }

        await write.CommitAsync();
        return outcome;
    }

    private async Task<DisputeWriteOutcome> TryWriteAsync(IWriteScope write, DisputeChange change, CancellationToken cancellationToken)
    {
        var dispute = change.Case;
        if (await write.QueryFirstOrDefaultAsync<int?>("SELECT 1 FROM dispute_events WHERE report_id = @ReportId;", new { change.ReportId }, cancellationToken) is not null)
        {
            return DisputeWriteOutcome.Repeated;
        }

        // The change number first: every writer of cases takes the counter row before any other, so writers of
        // cases and of refunds (which lock only the order) cannot wait for each other in a circle.
        var changeSeq = change.Moves ? await NextChangeAsync(write, cancellationToken) : 0;
        var disputeId = dispute.Id;
        if (disputeId == 0)
        {
            if (!await MoveMoneyAsync(write, change.Money, dispute, cancellationToken) || await InsertAsync(write, dispute, changeSeq, cancellationToken) is not { } id)
            {
                return DisputeWriteOutcome.Stale;
            }

            disputeId = id;
        }
        else if (change.Moves && !(await MoveAsync(write, dispute, change.ExpectedStatus!, changeSeq, cancellationToken) && await MoveMoneyAsync(write, change.Money, dispute, cancellationToken)))
        {
            // The status is checked before the money moves: only the writer that moved the case moves its money.
            return DisputeWriteOutcome.Stale;
        }

        var recorded = await write.ExecuteAsync("""
            INSERT INTO dispute_events (dispute_id, report_id, status, case_result, happened_at, recorded_at)
            VALUES (@disputeId, @ReportId, @EventStatus, @EventResult, @HappenedAt, @recordedAt)
            ON CONFLICT (report_id) DO NOTHING;
            """, new { disputeId, change.ReportId, change.EventStatus, change.EventResult, change.HappenedAt, recordedAt = dispute.UpdatedAt }, cancellationToken);
        if (recorded == 0)
        {
            return DisputeWriteOutcome.Repeated;
        }

        if (change.Notification is { } draft)
        {
            // One notification per status a case reaches: the subject names both.
            await NotificationOutbox.EnqueueAsync(write, $"dispute:{dispute.CaseId}:{dispute.Status}", dispute.OrderId, draft.NotifyType, draft.Url, draft.Body, dispute.UpdatedAt, cancellationToken);
        }

        return DisputeWriteOutcome.Applied;
    }

    // Freezing or charging back a new case's amount is checked with the order's refunds; releasing or moving never raises the sum.
    private static async Task<bool> MoveMoneyAsync(IWriteScope write, DisputeMoney money, DisputeRecord dispute, CancellationToken cancellationToken)
    {
        var sql = money switch
        {
            DisputeMoney.Freeze => """
                UPDATE orders SET disputed_minor = disputed_minor + @AmountMinor
                WHERE id = @OrderId AND refunded_minor + disputed_minor + charged_back_minor + @AmountMinor <= amount_minor;
                """,
            DisputeMoney.ChargeBack => """
                UPDATE orders SET charged_back_minor = charged_back_minor + @AmountMinor
                WHERE id = @OrderId AND refunded_minor + disputed_minor + charged_back_minor + @AmountMinor <= amount_minor;
                """,
            DisputeMoney.FrozenToChargedBack => """
                UPDATE orders SET disputed_minor = disputed_minor - @AmountMinor, charged_back_minor = charged_back_minor + @AmountMinor WHERE id = @OrderId;
                """,
            DisputeMoney.Release => "UPDATE orders SET disputed_minor = disputed_minor - @AmountMinor WHERE id = @OrderId;",
            _ => null,
        };
        return sql is null || await write.ExecuteAsync(sql, new { dispute.AmountMinor, dispute.OrderId }, cancellationToken) == 1;
    }

    private async Task<long?> InsertAsync(IWriteScope write, DisputeRecord dispute, long changeSeq, CancellationToken cancellationToken)
    {
        try
        {
            return await write.ScalarAsync<long?>("""
                INSERT INTO disputes (case_id, acquirer, acquirer_case_id, order_id, merchant_no, app_id, reason_category, reason_code, reason_message,
                                      amount_minor, fee_minor, currency, status, case_result, retrieval_date, expiration_date, created_at, updated_at, change_seq)
                VALUES (@CaseId, @Acquirer, @AcquirerCaseId, @OrderId, @MerchantNo, @AppId, @ReasonCategory, @ReasonCode, @ReasonMessage,
                        @AmountMinor, @FeeMinor, @Currency, @Status, @CaseResult, @RetrievalDate, @ExpirationDate, @CreatedAt, @UpdatedAt, @changeSeq)
                ON CONFLICT (acquirer, acquirer_case_id) DO NOTHING
                RETURNING id;
                """, new
            {
                dispute.CaseId, dispute.Acquirer, dispute.AcquirerCaseId, dispute.OrderId, dispute.MerchantNo, dispute.AppId, dispute.ReasonCategory, dispute.ReasonCode,
                dispute.ReasonMessage, dispute.AmountMinor, dispute.FeeMinor, dispute.Currency, dispute.Status, dispute.CaseResult, dispute.RetrievalDate,
                dispute.ExpirationDate, dispute.CreatedAt, dispute.UpdatedAt, changeSeq,
            }, cancellationToken);
        }
        catch (DbException ex) when (database.IsUniqueViolation(ex, "disputes", "case_id"))
        {
            // Random case ids of the same millisecond can meet: the caller draws another.
            return null;
        }
    }

    private static async Task<bool> MoveAsync(IWriteScope write, DisputeRecord dispute, string expectedStatus, long changeSeq, CancellationToken cancellationToken) =>
        await write.ExecuteAsync("""
            UPDATE disputes SET status = @Status, case_result = @CaseResult, answer_text = @AnswerText, answer_files = @AnswerFiles, answered_at = @AnsweredAt,
                                updated_at = @UpdatedAt, change_seq = @changeSeq
            WHERE id = @Id AND status = @expectedStatus;
            """, new { dispute.Status, dispute.CaseResult, dispute.AnswerText, dispute.AnswerFiles, dispute.AnsweredAt, dispute.UpdatedAt, changeSeq, dispute.Id, expectedStatus },
            cancellationToken) == 1;

    // The next change number. Taking it locks the counter row until this transaction ends, so changes commit in
    // the order of their numbers and caseList's cursor (the last number a merchant saw) never skips one.
    private static async Task<long> NextChangeAsync(IWriteScope write, CancellationToken cancellationToken) =>
        (await write.ScalarAsync<long?>("UPDATE dispute_changes SET last = last + 1 WHERE id = 1 RETURNING last;", null, cancellationToken))!.Value;
}
