using System.Globalization;
using System.Text.Json;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>
/// The merchant's dispute cases (docs/disputes.md), whichever way they are heard of: a CHARGEBACK notification,
/// caseSearch or caseList. Applying a case is idempotent and never moves it back: the same state twice is one
/// event, and an older state after a newer one only adds to the timeline. A FRAUD case, the first time it is
/// seen, takes its card from charges without the customer and stops the smart retries on it.
/// </summary>
internal sealed class DisputeLedger(RelationalDatabase database, TimeProvider clock)
{
    private const string SyncName = "caseList";

    /// <summary>How far along a state is: a case moves only forward (an unknown state is never ahead of a known one).</summary>
    public static int Rank(string status) => status switch
    {
        DisputeStatuses.Inquiry => 1,
        DisputeStatuses.Received => 2,
        DisputeStatuses.End => 3,
        DisputeStatuses.Closed or DisputeStatuses.Cancelled => 4,
        _ => 0,
    };

    /// <summary>Applies a case as the gateway shows it, in its own transaction; true when the case moved or is new.</summary>
    public Task<bool> ApplyAsync(CaseView view, long at, CancellationToken cancellationToken) =>
        database.WriteAsync(write => ApplyAsync(write, view, at, cancellationToken), cancellationToken);

    /// <summary>
    /// In the caller's transaction: applies a case seen in state <see cref="CaseView.Status"/> at <paramref name="at"/>
    /// (Unix ms); true when the case is new or moved forward, false when nothing but (perhaps) its timeline changed.
    /// </summary>
    public async Task<bool> ApplyAsync(IWriteScope write, CaseView view, long at, CancellationToken cancellationToken)
    {
        var now = Now();
        var token = view.PaymentTokenId
            ?? await write.ScalarAsync<string>("SELECT payment_token_id FROM payments WHERE out_trade_no = @OutTradeNo;", new { view.OutTradeNo }, cancellationToken);
        var row = Row(view, token, now);
        var created = await write.ExecuteAsync("""
            INSERT INTO disputes (case_id, out_trade_no, trade_token, user_id, payment_token_id, reason_category, reason_code, reason_message,
                                  amount_minor, fee_minor, total_minor, currency, status, status_rank, case_result, retrieval_date, expiration_date, created_at, updated_at)
            VALUES (@CaseId, @OutTradeNo, @TradeToken, @UserId, @PaymentTokenId, @ReasonCategory, @ReasonCode, @ReasonMessage,
                    @AmountMinor, @FeeMinor, @TotalMinor, @Currency, @Status, @StatusRank, @CaseResult, @RetrievalDate, @ExpirationDate, @CreatedAt, @UpdatedAt)
            ON CONFLICT DO NOTHING;
            """, row, cancellationToken) == 1;
        var moved = created || await write.ExecuteAsync("""
            UPDATE disputes SET status = @Status, status_rank = @StatusRank, case_result = COALESCE(@CaseResult, case_result),
                                amount_minor = @AmountMinor, fee_minor = @FeeMinor, total_minor = @TotalMinor,
                                payment_token_id = COALESCE(payment_token_id, @PaymentTokenId), updated_at = @UpdatedAt
            WHERE case_id = @CaseId AND status_rank < @StatusRank;
            """, row, cancellationToken) == 1;
        await write.ExecuteAsync("INSERT INTO dispute_timeline (case_id, status, at) VALUES (@CaseId, @Status, @at) ON CONFLICT DO NOTHING;",
            new { view.CaseId, view.Status, at }, cancellationToken);
        if (created && view.ReasonCategory == DisputeReasons.Fraud && token is not null)
        {
            await StopChargesWithoutCustomerAsync(write, token, view.CaseId, now, cancellationToken);
        }

        return moved;
    }

    // The cardholder says they never agreed to be charged: the networks expect no more MITs on the card (the simulator
    // declines them as violations), so new charges are refused before sending and planned retries are dropped.
    private static async Task StopChargesWithoutCustomerAsync(IWriteScope write, string paymentTokenId, string caseId, long now, CancellationToken cancellationToken)
    {
        var why = $"The cardholder disputed a payment on this card as fraud (case {caseId}): it cannot be charged without the customer until they pay with it again themselves.";
        await write.ExecuteAsync("UPDATE wallet SET fraud_case_id = @caseId, attention = @why, updated_at = @now WHERE payment_token_id = @paymentTokenId;",
            new { caseId, why, now, paymentTokenId }, cancellationToken);
        await write.ExecuteAsync("UPDATE payments SET retry_at = NULL, retry_note = @note WHERE payment_token_id = @paymentTokenId AND retry_at IS NOT NULL;",
            new { note = $"No more retries: the cardholder disputed a payment on this card as fraud (case {caseId}).", paymentTokenId }, cancellationToken);
    }

    /// <summary>Records the merchant's answer, taken by the gateway: the case is DISPUTE_RECEIVED (unless it moved on already).</summary>
    public Task RecordAnswerAsync(string caseId, string content, IReadOnlyList<string> files, CancellationToken cancellationToken) =>
        database.WriteAsync(async write =>
        {
            var now = Now();
            await write.ExecuteAsync("""
                UPDATE disputes SET answer_content = @content, answer_files = @files, answered_at = COALESCE(answered_at, @now), updated_at = @now,
                                    status = CASE WHEN status_rank < @rank THEN @received ELSE status END, status_rank = CASE WHEN status_rank < @rank THEN @rank ELSE status_rank END
                WHERE case_id = @caseId;
                """, new { content, files = JsonSerializer.Serialize(files), now, rank = Rank(DisputeStatuses.Received), received = DisputeStatuses.Received, caseId }, cancellationToken);
            return await write.ExecuteAsync("INSERT INTO dispute_timeline (case_id, status, at) VALUES (@caseId, @received, @now) ON CONFLICT DO NOTHING;",
                new { caseId, received = DisputeStatuses.Received, now }, cancellationToken);
        }, cancellationToken);

    public Task<Dispute?> FindAsync(string caseId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<Dispute>("SELECT * FROM disputes WHERE case_id = @caseId;", new { caseId }, cancellationToken);

    /// <summary>
    /// A case's states in the order they happened: a case only moves forward, so by state first (the gateway's event
    /// times and this service's clock need not agree), then by time.
    /// </summary>
    public async Task<IReadOnlyList<DisputeEvent>> TimelineAsync(string caseId, CancellationToken cancellationToken) =>
        [.. (await database.QueryAsync<DisputeEvent>("SELECT status, at FROM dispute_timeline WHERE case_id = @caseId;", new { caseId }, cancellationToken))
            .OrderBy(e => Rank(e.Status)).ThenBy(e => e.At)];

    /// <summary>Cases the filter matches, newest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<Dispute>> ListAsync(DisputeFilter filter, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync<Dispute>($"""
            SELECT * FROM disputes{Listing.Where(
                filter.Open is null ? null : filter.Open.Value ? "status IN (@inquiry, @received)" : "status NOT IN (@inquiry, @received)",
                Listing.OlderThan(filter.Older, "created_at", "case_id"))}
            ORDER BY created_at DESC, case_id DESC LIMIT @limit;
            """, new { inquiry = DisputeStatuses.Inquiry, received = DisputeStatuses.Received, olderAt = filter.Older?.CreatedAt, olderKey = filter.Older?.Key, limit }, cancellationToken);

    /// <summary>Where caseList goes on from; null before the first page.</summary>
    public Task<string?> CursorAsync(CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<string?>("SELECT cursor FROM dispute_sync WHERE name = @SyncName;", new { SyncName }, cancellationToken);

    /// <summary>Applies a page of caseList and keeps its cursor, in one transaction: a crash between the two reads the page again, harmlessly.</summary>
    public Task<int> ApplyPageAsync(IReadOnlyList<CaseView> cases, string nextCursor, CancellationToken cancellationToken) =>
        database.WriteAsync(async write =>
        {
            var moved = 0;
            foreach (var view in cases)
            {
                moved += await ApplyAsync(write, view, Now(), cancellationToken) ? 1 : 0;
            }

            await write.ExecuteAsync("""
                INSERT INTO dispute_sync (name, cursor, synced_at) VALUES (@SyncName, @nextCursor, @now)
                ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, synced_at = excluded.synced_at;
                """, new { SyncName, nextCursor, now = Now() }, cancellationToken);
            return moved;
        }, cancellationToken);

    private static object Row(CaseView view, string? paymentTokenId, long now) => new
    {
        view.CaseId, view.OutTradeNo, view.TradeToken, UserId = view.OutUserId, PaymentTokenId = paymentTokenId, view.ReasonCategory, view.ReasonCode, view.ReasonMessage,
        AmountMinor = Minor(view.Amount, view.Currency), FeeMinor = Minor(view.Fee, view.Currency), TotalMinor = Minor(view.TotalAmount, view.Currency),
        view.Currency, view.Status, StatusRank = Rank(view.Status), view.CaseResult, view.RetrievalDate, view.ExpirationDate, CreatedAt = now, UpdatedAt = now,
    };

    // The gateway sends amounts in the currency's minor digits; one that is not is a broken case, refused (not acknowledged).
    private static long Minor(decimal amount, string currency) => Currencies.TryToMinorUnits(amount, currency, out var minor)
        ? minor
        : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The case amount {amount} is not an amount in {currency}."));

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
