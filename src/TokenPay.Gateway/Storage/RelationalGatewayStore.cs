using System.Data;
using System.Data.Common;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// The storage seam in SQL every engine shares; what differs (connections, write transactions, migrations,
/// a few SQL words) is the <see cref="GatewayDatabase"/>. Ownership (merchant, user) is checked in the queries;
/// statuses are parameters; each atomic write is one transaction.
/// </summary>
internal sealed class RelationalGatewayStore(GatewayDatabase database) : IGatewayStore, IAsyncDisposable
{
    private const string OrderColumns = """
        o.id, o.trade_token, o.merchant_no, o.app_id, o.out_trade_no, o.integrate, o.subject, o.amount_minor,
        o.currency, o.country, o.user_id, o.reference, o.language, o.front_callback_url, o.notify_url, o.status,
        o.result_code, o.result_msg, o.created_at, o.expires_at, o.completed_at, o.card_id, o.payment_token_id,
        o.token_for_future_use, o.merchant_initiated, o.mit_type, o.challenge_id, o.acquirer_reference, o.cashier_id, c.brand, c.masked, c.holder_masked, o.acquirer_state, o.sent_at
        """;

    private const string TokenColumns = """
        t.id, t.payment_token_id, t.merchant_no, t.user_id, t.card_id, t.status, t.mit_type, t.expires_at, t.created_at,
        c.id, c.key_id, c.nonce, c.ciphertext, c.tag, c.fingerprint, c.brand, c.masked, c.holder_masked, c.expiry_month, c.expiry_year, t.country
        """;

    private const string SessionColumns = """
        s.session_key, s.client_key, s.merchant_no, s.app_id, s.user_id, s.currency, s.country, s.amount_minor, s.mit_type,
        s.token_for_future_use, s.created_at, s.expires_at
        """;

    public Task MigrateAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, "SELECT value FROM settings WHERE name = @n;");
        select.Param("@n", name);
        return (string?)await select.ExecuteScalarAsync(cancellationToken);
    }

    public async Task<string> GetOrAddSettingAsync(string name, string valueIfAbsent, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var insert = write.Command("INSERT INTO settings (name, value) VALUES (@n, @v) ON CONFLICT (name) DO NOTHING;");
        insert.Param("@n", name);
        insert.Param("@v", valueIfAbsent);
        await insert.ExecuteNonQueryAsync(cancellationToken);

        var select = write.Command("SELECT value FROM settings WHERE name = @n;");
        select.Param("@n", name);
        var value = (string)(await select.ExecuteScalarAsync(cancellationToken))!;
        await write.CommitAsync();
        return value;
    }

    public async Task<InsertResult> TryInsertOrderAsync(OrderRecord order, StoredCard? card, string? spendDropinToken, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);

        if (spendDropinToken is not null)
        {
            var spend = write.Command("""
                UPDATE dropin_tokens SET used_at = @now WHERE payment_token = @t AND used_at IS NULL AND expires_at > @now;
                """);
            spend.Param("@now", order.CreatedAt);
            spend.Param("@t", spendDropinToken);
            if (await spend.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await write.RollbackAsync();
                return new InsertResult(InsertOutcome.DropinTokenSpent);
            }
        }

        if (order.PaymentTokenId is not null)
        {
            // Checked again in the transaction that writes the order: a removal that committed first wins, and
            // a removal that commits after this waits for the order's authorization (TokenEndpoints).
            var usable = write.Command($"""
                SELECT 1 FROM payment_tokens WHERE merchant_no = @m AND payment_token_id = @t AND status = @active AND expires_at > @now {database.LockRowShared};
                """);
            usable.Param("@m", order.MerchantNo);
            usable.Param("@t", order.PaymentTokenId);
            usable.Param("@active", TokenStatuses.Activated);
            usable.Param("@now", order.CreatedAt);
            if (await usable.ExecuteScalarAsync(cancellationToken) is null)
            {
                await write.RollbackAsync();
                return new InsertResult(InsertOutcome.PaymentTokenUnusable);
            }
        }

        var cardId = card is null ? order.CardId : await InsertCardAsync(connection, transaction, card, cancellationToken);

        var insertOrder = write.Command("""
            INSERT INTO orders (trade_token, merchant_no, app_id, out_trade_no, out_trade_no_key, integrate, subject, amount_minor,
                currency, country, user_id, reference, language, front_callback_url, notify_url, status, created_at, expires_at,
                card_id, payment_token_id, token_for_future_use, merchant_initiated, mit_type, cashier_id, acquirer_state, sent_at)
            VALUES (@tt, @m, @app, @otn, @key, @integrate, @subject, @amount, @currency, @country, @user, @ref, @lang, @front,
                @notify, @status, @created, @expires, @card, @token, @tffu, @mi, @mit, @cashier, @acq, @sent)
            ON CONFLICT (merchant_no, out_trade_no_key) DO NOTHING
            RETURNING id;
            """);
        var o = insertOrder;
        o.Param("@tt", order.TradeToken);
        o.Param("@m", order.MerchantNo);
        o.Param("@app", order.AppId);
        o.Param("@otn", order.OutTradeNo);
        o.Param("@key", OutTradeNoKey(order.OutTradeNo));
        o.Param("@integrate", order.Integrate);
        o.Param("@subject", order.Subject);
        o.Param("@amount", order.AmountMinor);
        o.Param("@currency", order.Currency);
        o.Param("@country", order.Country);
        o.Param("@user", order.UserId);
        o.Param("@ref", order.Reference);
        o.Param("@lang", order.Language);
        o.Param("@front", order.FrontCallbackUrl);
        o.Param("@notify", order.NotifyUrl);
        o.Param("@status", order.Status);
        o.Param("@created", order.CreatedAt);
        o.Param("@expires", order.ExpiresAt);
        o.Param("@card", cardId);
        o.Param("@token", order.PaymentTokenId);
        o.Param("@tffu", order.TokenForFutureUse);
        o.Param("@mi", order.MerchantInitiated);
        o.Param("@mit", order.MitType);
        o.Param("@cashier", order.CashierId);
        o.Param("@acq", order.AcquirerState);
        o.Param("@sent", order.SentAt);

        object? inserted;
        try
        {
            inserted = await insertOrder.ExecuteScalarAsync(cancellationToken);
        }
        catch (DbException ex) when (database.IsTradeTokenTaken(ex))
        {
            // Random trade tokens of the same millisecond can meet; the caller draws another.
            await write.RollbackAsync();
            return new InsertResult(InsertOutcome.TradeTokenTaken);
        }

        if (inserted is not long orderId)
        {
            // Duplicate outTradeNo: the vaulted card and the spent Drop-in token go with the rollback.
            await write.RollbackAsync();
            return new InsertResult(InsertOutcome.DuplicateOutTradeNo);
        }

        await write.CommitAsync();
        return new InsertResult(InsertOutcome.Inserted, orderId, cardId);
    }

    public async Task<OrderRecord?> FindOrderByCashierAsync(string cashierId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {OrderColumns} FROM orders o LEFT JOIN vault_cards c ON c.id = o.card_id WHERE o.cashier_id = @c;
            """);
        command.Param("@c", cashierId);
        return await ReadSingleAsync(command, ReadOrder, cancellationToken);
    }

    public async Task<long?> AttachCardAsync(long orderId, StoredCard card, long now, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var cardId = await InsertCardAsync(connection, transaction, card, cancellationToken);
        var attach = write.Command("""
            UPDATE orders SET card_id = @card, acquirer_state = @sending, sent_at = @now
            WHERE id = @id AND status = @pending AND card_id IS NULL;
            """);
        attach.Param("@card", cardId);
        attach.Param("@id", orderId);
        attach.Param("@sending", AcquirerStates.Sending);
        attach.Param("@pending", OrderStatuses.Pending);
        attach.Param("@now", now);
        if (await attach.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            await write.RollbackAsync();
            return null;
        }

        await write.CommitAsync();
        return cardId;
    }

    public async Task InsertDropinSessionAsync(DropinSession session, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var command = write.Command("""
            INSERT INTO dropin_sessions (session_key, client_key, merchant_no, app_id, user_id, currency, country, amount_minor, mit_type, token_for_future_use, created_at, expires_at)
            VALUES (@s, @c, @m, @app, @u, @cur, @country, @amount, @mit, @tffu, @created, @expires);
            """);
        var p = command;
        p.Param("@s", session.SessionKey);
        p.Param("@c", session.ClientKey);
        p.Param("@m", session.MerchantNo);
        p.Param("@app", session.AppId);
        p.Param("@u", session.UserId);
        p.Param("@cur", session.Currency);
        p.Param("@country", session.Country);
        p.Param("@amount", session.AmountMinor);
        p.Param("@mit", session.MitType);
        p.Param("@tffu", session.TokenForFutureUse);
        p.Param("@created", session.CreatedAt);
        p.Param("@expires", session.ExpiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync();
    }

    public async Task<DropinSession?> FindDropinSessionAsync(string sessionKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {SessionColumns} FROM dropin_sessions s WHERE s.session_key = @s;");
        command.Param("@s", sessionKey);
        return await ReadSingleAsync(command, r => ReadSession(r, 0), cancellationToken);
    }

    public async Task InsertDropinTokenAsync(string paymentToken, string sessionKey, StoredCard card, long createdAt, long expiresAt, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var cardId = await InsertCardAsync(connection, transaction, card, cancellationToken);
        var command = write.Command("""
            INSERT INTO dropin_tokens (payment_token, session_key, card_id, created_at, expires_at) VALUES (@t, @s, @card, @created, @expires);
            """);
        command.Param("@t", paymentToken);
        command.Param("@s", sessionKey);
        command.Param("@card", cardId);
        command.Param("@created", createdAt);
        command.Param("@expires", expiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync();
    }

    public async Task<DropinToken?> FindDropinTokenAsync(string paymentToken, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT t.payment_token, t.card_id, t.used_at, t.expires_at, {SessionColumns}
            FROM dropin_tokens t JOIN dropin_sessions s ON s.session_key = t.session_key WHERE t.payment_token = @t;
            """);
        command.Param("@t", paymentToken);
        return await ReadSingleAsync(command, r => new DropinToken(r.GetString(0), ReadSession(r, 4), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetInt64(3)), cancellationToken);
    }

    private static async Task<long> InsertCardAsync(DbConnection connection, DbTransaction transaction, StoredCard card, CancellationToken cancellationToken)
    {
        await using var insertCard = Command(connection, transaction, """
            INSERT INTO vault_cards (key_id, nonce, ciphertext, tag, fingerprint, brand, masked, holder_masked, expiry_month, expiry_year)
            VALUES (@key, @nonce, @cipher, @tag, @fp, @brand, @masked, @holder, @month, @year) RETURNING id;
            """);
        var p = insertCard;
        p.Param("@key", card.KeyId);
        p.Param("@nonce", card.Nonce);
        p.Param("@cipher", card.Ciphertext);
        p.Param("@tag", card.Tag);
        p.Param("@fp", card.Fingerprint);
        p.Param("@brand", card.Brand);
        p.Param("@masked", card.Masked);
        p.Param("@holder", card.HolderMasked);
        p.Param("@month", card.ExpiryMonth);
        p.Param("@year", card.ExpiryYear);
        return (long)(await insertCard.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<OrderRecord?> FindOrderAsync(string merchantNo, string outTradeNo, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {OrderColumns} FROM orders o LEFT JOIN vault_cards c ON c.id = o.card_id
            WHERE o.merchant_no = @m AND o.out_trade_no_key = @key;
            """);
        command.Param("@m", merchantNo);
        command.Param("@key", OutTradeNoKey(outTradeNo));
        return await ReadSingleAsync(command, ReadOrder, cancellationToken);
    }

    public async Task<OrderRecord?> FindOrderByChallengeAsync(string challengeId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {OrderColumns} FROM orders o LEFT JOIN vault_cards c ON c.id = o.card_id WHERE o.challenge_id = @c;
            """);
        command.Param("@c", challengeId);
        return await ReadSingleAsync(command, ReadOrder, cancellationToken);
    }

    public async Task SetChallengeAsync(long orderId, string challengeId, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        // Waiting for the customer now, not for the acquirer.
        var command = write.Command("UPDATE orders SET challenge_id = @c, acquirer_state = NULL WHERE id = @id AND status = @pending;");
        command.Param("@c", challengeId);
        command.Param("@id", orderId);
        command.Param("@pending", OrderStatuses.Pending);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync();
    }

    public async Task MarkAcquirerPendingAsync(long orderId, long now, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var command = write.Command("UPDATE orders SET acquirer_state = @state, sent_at = @now WHERE id = @id AND status = @pending;");
        command.Param("@state", AcquirerStates.Pending);
        command.Param("@now", now);
        command.Param("@id", orderId);
        command.Param("@pending", OrderStatuses.Pending);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync();
    }

    public async Task<IReadOnlyList<OrderRecord>> FindOrdersToRecoverAsync(long sentBefore, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {OrderColumns} FROM orders o LEFT JOIN vault_cards c ON c.id = o.card_id
            WHERE o.acquirer_state IS NOT NULL AND o.status = @pending AND o.sent_at <= @before ORDER BY o.sent_at LIMIT @batch;
            """);
        command.Param("@pending", OrderStatuses.Pending);
        command.Param("@before", sentBefore);
        command.Param("@batch", batchSize);
        return await ReadAllAsync(command, ReadOrder, cancellationToken);
    }

    public async Task<bool> HasTokenOrderBeingAuthorizedAsync(string merchantNo, string paymentTokenId, long sentAfter, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT 1 FROM orders
            WHERE payment_token_id = @t AND acquirer_state = @sending AND merchant_no = @m AND status = @pending AND sent_at > @after LIMIT 1;
            """);
        command.Param("@t", paymentTokenId);
        command.Param("@sending", AcquirerStates.Sending);
        command.Param("@m", merchantNo);
        command.Param("@pending", OrderStatuses.Pending);
        command.Param("@after", sentAfter);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task RecordAcquirerDecisionAsync(string tradeToken, Acquiring.AuthorizationOutcome outcome, long decidedAt, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var command = write.Command("""
            INSERT INTO acquirer_simulator_decisions (trade_token, decision, code, message, reference, decided_at)
            VALUES (@t, @d, @code, @msg, @ref, @at)
            ON CONFLICT (trade_token) DO UPDATE SET decision = excluded.decision, code = excluded.code, message = excluded.message,
                                                    reference = excluded.reference, decided_at = excluded.decided_at;
            """);
        var p = command;
        p.Param("@t", tradeToken);
        p.Param("@d", outcome.Decision.ToString());
        p.Param("@code", outcome.Code);
        p.Param("@msg", outcome.Message);
        p.Param("@ref", outcome.Reference);
        p.Param("@at", decidedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync();
    }

    public async Task<Acquiring.AuthorizationOutcome?> FindAcquirerDecisionAsync(string tradeToken, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT decision, code, message, reference FROM acquirer_simulator_decisions WHERE trade_token = @t;");
        command.Param("@t", tradeToken);
        return await ReadSingleAsync(command, r => new Acquiring.AuthorizationOutcome(
            Enum.Parse<Acquiring.AuthorizationDecision>(r.GetString(0)), NullableString(r, 1), NullableString(r, 2), NullableString(r, 3)), cancellationToken);
    }

    public async Task<bool> ClaimChallengeAsync(string challengeId, long now, bool authorizeNext, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var command = write.Command("""
            UPDATE orders SET challenge_used = 1,
                              acquirer_state = CASE WHEN @authorize = 1 THEN @sending ELSE acquirer_state END,
                              sent_at = CASE WHEN @authorize = 1 THEN @now ELSE sent_at END
            WHERE challenge_id = @c AND challenge_used = 0 AND status = @pending AND expires_at > @now;
            """);
        command.Param("@c", challengeId);
        command.Param("@now", now);
        command.Param("@authorize", authorizeNext);
        command.Param("@sending", AcquirerStates.Sending);
        command.Param("@pending", OrderStatuses.Pending);
        var claimed = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        await write.CommitAsync();
        return claimed;
    }

    public async Task<CompletionResult> CompleteOrderAsync(OrderCompletion completion, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);

        string? boundToken = null;
        if (completion.Bind is { } bind)
        {
            // Re-binding a card the user already saved refreshes that token rather than making a second one.
            var upsert = write.Command("""
                INSERT INTO payment_tokens (payment_token_id, merchant_no, user_id, card_id, fingerprint, status, mit_type, expires_at, created_at, country)
                VALUES (@id, @m, @u, @card, @fp, 'Activated', @mit, @exp, @created, @country)
                ON CONFLICT (merchant_no, user_id, fingerprint) WHERE status = 'Activated'
                DO UPDATE SET card_id = excluded.card_id, expires_at = excluded.expires_at,
                              mit_type = COALESCE(excluded.mit_type, payment_tokens.mit_type)
                RETURNING payment_token_id;
                """);
            var p = upsert;
            p.Param("@id", bind.PaymentTokenId);
            p.Param("@m", bind.MerchantNo);
            p.Param("@u", bind.UserId);
            p.Param("@card", bind.CardId);
            p.Param("@fp", bind.Fingerprint);
            p.Param("@mit", bind.MitType);
            p.Param("@exp", bind.ExpiresAt);
            p.Param("@created", bind.CreatedAt);
            p.Param("@country", bind.Country);
            boundToken = (string)(await upsert.ExecuteScalarAsync(cancellationToken))!;
        }

        var update = write.Command("""
            UPDATE orders SET status = @s, result_code = @rc, result_msg = @rm, completed_at = @t, acquirer_state = NULL,
                              acquirer_reference = @ar, payment_token_id = COALESCE(@token, payment_token_id)
            WHERE id = @id AND status = @pending
            RETURNING payment_token_id;
            """);
        var u = update;
        u.Param("@s", completion.Status);
        u.Param("@rc", completion.ResultCode);
        u.Param("@rm", completion.ResultMsg);
        u.Param("@t", completion.CompletedAt);
        u.Param("@ar", completion.AcquirerReference);
        u.Param("@token", boundToken);
        u.Param("@id", completion.OrderId);
        u.Param("@pending", OrderStatuses.Pending);

        await using var reader = await update.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // Already terminal (a race with expiry, or a second completion): terminal states never change.
            await reader.DisposeAsync();
            await write.RollbackAsync();
            return new CompletionResult(false, null);
        }

        var tokenId = reader.IsDBNull(0) ? null : reader.GetString(0);
        await reader.DisposeAsync();

        foreach (var draft in completion.Notifications)
        {
            var outbox = write.Command("""
                INSERT INTO notifications (order_id, merchant_no, notify_type, url, body, status, next_attempt_at, created_at)
                SELECT id, merchant_no, @type, @url, @body, 'Pending', @at, @at FROM orders WHERE id = @order
                ON CONFLICT (order_id, notify_type) DO NOTHING;
                """);
            outbox.Param("@type", draft.NotifyType);
            outbox.Param("@url", draft.Url);
            outbox.Param("@body", draft.Body(tokenId));
            outbox.Param("@at", completion.CompletedAt);
            outbox.Param("@order", completion.OrderId);
            await outbox.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync();
        return new CompletionResult(true, tokenId);
    }

    public async Task<IReadOnlyList<OrderRecord>> FindExpiredPendingOrdersAsync(long now, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {OrderColumns} FROM orders o LEFT JOIN vault_cards c ON c.id = o.card_id
            WHERE o.status = 'PENDING' AND o.expires_at <= @now ORDER BY o.expires_at LIMIT @batch;
            """);
        command.Param("@now", now);
        command.Param("@batch", batchSize);
        return await ReadAllAsync(command, ReadOrder, cancellationToken);
    }

    public async Task<IReadOnlyList<DueNotification>> ClaimDueNotificationsAsync(string owner, long now, long leaseUntil, int batchSize, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var command = write.Command($"""
            UPDATE notifications SET lease_owner = @owner, lease_expires_at = @until
            WHERE id IN (
                SELECT id FROM notifications
                WHERE status = 'Pending' AND next_attempt_at <= @now AND (lease_owner IS NULL OR lease_expires_at <= @now)
                ORDER BY next_attempt_at LIMIT @batch {database.SkipLockedRows})
            RETURNING id, url, body, schedule_index, attempts, first_attempt_at;
            """);
        command.Param("@owner", owner);
        command.Param("@until", leaseUntil);
        command.Param("@now", now);
        command.Param("@batch", batchSize);
        var claimed = await ReadAllAsync(command, r => new DueNotification(
            r.GetInt64(0), r.GetString(1), (byte[])r[2], r.GetInt32(3), r.GetInt32(4), r.IsDBNull(5) ? null : r.GetInt64(5)), cancellationToken);
        await write.CommitAsync();
        return claimed;
    }

    public async Task<long?> NextNotificationDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT MIN(CASE WHEN lease_owner IS NULL THEN next_attempt_at ELSE {database.Greatest("next_attempt_at", "lease_expires_at")} END)
            FROM notifications WHERE status = 'Pending';
            """);
        return await command.ExecuteScalarAsync(cancellationToken) is long due ? due : null;
    }

    public async Task<bool> RecordAttemptAsync(DeliveryAttempt attempt, string owner, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var update = write.Command("""
            UPDATE notifications SET
                attempts = attempts + 1,
                schedule_index = schedule_index + 1,
                first_attempt_at = @first,
                status = CASE WHEN @ack = 1 THEN 'Delivered' WHEN CAST(@next AS BIGINT) IS NULL THEN 'Failed' ELSE 'Pending' END,
                next_attempt_at = CASE WHEN @ack = 1 THEN NULL ELSE @next END,
                delivered_at = CASE WHEN @ack = 1 THEN @started ELSE NULL END,
                lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id AND lease_owner = @owner AND status = 'Pending'
            RETURNING attempts;
            """);
        var u = update;
        u.Param("@first", attempt.FirstAttemptAt);
        u.Param("@ack", attempt.Acknowledged);
        u.Param("@next", attempt.NextAttemptAt);
        u.Param("@started", attempt.StartedAt);
        u.Param("@id", attempt.NotificationId);
        u.Param("@owner", owner);
        if (await update.ExecuteScalarAsync(cancellationToken) is not { } returned)
        {
            // The lease was lost (expired and taken over): the new holder records its own attempts.
            await write.RollbackAsync();
            return false;
        }

        var number = Convert.ToInt64(returned, System.Globalization.CultureInfo.InvariantCulture);
        var insert = write.Command("""
            INSERT INTO notification_attempts (notification_id, attempt, started_at, http_status, latency_ms, response_excerpt, error)
            VALUES (@id, @n, @started, @status, @latency, @excerpt, @error);
            """);
        var p = insert;
        p.Param("@id", attempt.NotificationId);
        p.Param("@n", number);
        p.Param("@started", attempt.StartedAt);
        p.Param("@status", attempt.HttpStatus);
        p.Param("@latency", attempt.LatencyMs);
        p.Param("@excerpt", attempt.ResponseExcerpt);
        p.Param("@error", attempt.Error);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync();
        return true;
    }

    public async Task<bool> ResendNotificationAsync(long notificationId, long now, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var command = write.Command("""
            UPDATE notifications SET status = 'Pending', schedule_index = 0, first_attempt_at = NULL, next_attempt_at = @now,
                                     delivered_at = NULL, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id;
            """);
        command.Param("@now", now);
        command.Param("@id", notificationId);
        var found = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        await write.CommitAsync();
        return found;
    }

    public async Task<IReadOnlyList<NotificationSummary>> ListNotificationsAsync(string? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT n.id, o.out_trade_no, n.notify_type, n.url, n.status, n.attempts, n.created_at, n.next_attempt_at, n.delivered_at
            FROM notifications n JOIN orders o ON o.id = n.order_id
            WHERE CAST(@status AS TEXT) IS NULL OR n.status = @status ORDER BY n.id DESC LIMIT @limit;
            """);
        command.Param("@status", status);
        command.Param("@limit", limit);
        return await ReadAllAsync(command, r => new NotificationSummary(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetInt64(6),
            r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetInt64(8)), cancellationToken);
    }

    public async Task<IReadOnlyList<AttemptSummary>> ListAttemptsAsync(long notificationId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT attempt, started_at, http_status, latency_ms, response_excerpt, error
            FROM notification_attempts WHERE notification_id = @id ORDER BY attempt;
            """);
        command.Param("@id", notificationId);
        return await ReadAllAsync(command, r => new AttemptSummary(
            r.GetInt32(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.GetInt64(3), NullableString(r, 4), NullableString(r, 5)), cancellationToken);
    }

    public async Task<StoredCard?> GetCardAsync(long cardId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT c.id, c.key_id, c.nonce, c.ciphertext, c.tag, c.fingerprint, c.brand, c.masked, c.holder_masked, c.expiry_month, c.expiry_year
            FROM vault_cards c WHERE c.id = @id;
            """);
        command.Param("@id", cardId);
        return await ReadSingleAsync(command, r => ReadCard(r, 0), cancellationToken);
    }

    public async Task<TokenRecord?> FindTokenAsync(string merchantNo, string paymentTokenId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {TokenColumns} FROM payment_tokens t JOIN vault_cards c ON c.id = t.card_id
            WHERE t.merchant_no = @m AND t.payment_token_id = @t;
            """);
        command.Param("@m", merchantNo);
        command.Param("@t", paymentTokenId);
        return await ReadSingleAsync(command, ReadToken, cancellationToken);
    }

    public async Task<IReadOnlyList<TokenRecord>> ListTokensAsync(string merchantNo, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {TokenColumns} FROM payment_tokens t JOIN vault_cards c ON c.id = t.card_id
            WHERE t.merchant_no = @m AND t.user_id = @u ORDER BY t.id;
            """);
        command.Param("@m", merchantNo);
        command.Param("@u", userId);
        return await ReadAllAsync(command, ReadToken, cancellationToken);
    }

    public async Task<TokenRecord?> DeleteTokenAsync(string merchantNo, string userId, string paymentTokenId, long now, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        await using (var delete = Command(connection, transaction, """
            UPDATE payment_tokens SET status = 'Deleted', deleted_at = @now
            WHERE merchant_no = @m AND user_id = @u AND payment_token_id = @t AND status <> 'Deleted';
            """))
        {
            delete.Param("@now", now);
            delete.Param("@m", merchantNo);
            delete.Param("@u", userId);
            delete.Param("@t", paymentTokenId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var select = write.Command($"""
            SELECT {TokenColumns} FROM payment_tokens t JOIN vault_cards c ON c.id = t.card_id
            WHERE t.merchant_no = @m AND t.user_id = @u AND t.payment_token_id = @t;
            """);
        select.Param("@m", merchantNo);
        select.Param("@u", userId);
        select.Param("@t", paymentTokenId);
        var token = await ReadSingleAsync(select, ReadToken, cancellationToken);
        await write.CommitAsync();
        return token;
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();

    private static string OutTradeNoKey(string outTradeNo) => outTradeNo.ToUpperInvariant();

    private Task<IWriteScope> BeginWriteAsync(CancellationToken cancellationToken) => database.BeginWriteAsync(cancellationToken);

    private Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => database.OpenAsync(cancellationToken);

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql) => GatewayDatabase.CreateCommand(connection, transaction, sql);

    private static bool Flag(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) != 0;

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T?> ReadSingleAsync<T>(DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
        where T : class
    {
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? map(reader) : null;
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static OrderRecord ReadOrder(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        TradeToken = r.GetString(1),
        MerchantNo = r.GetString(2),
        AppId = r.GetString(3),
        OutTradeNo = r.GetString(4),
        Integrate = r.GetString(5),
        Subject = r.GetString(6),
        AmountMinor = r.GetInt64(7),
        Currency = r.GetString(8),
        Country = r.GetString(9),
        UserId = r.GetString(10),
        Reference = NullableString(r, 11),
        Language = NullableString(r, 12),
        FrontCallbackUrl = NullableString(r, 13),
        NotifyUrl = NullableString(r, 14),
        Status = r.GetString(15),
        ResultCode = NullableString(r, 16),
        ResultMsg = NullableString(r, 17),
        CreatedAt = r.GetInt64(18),
        ExpiresAt = r.GetInt64(19),
        CompletedAt = r.IsDBNull(20) ? null : r.GetInt64(20),
        CardId = r.IsDBNull(21) ? null : r.GetInt64(21),
        PaymentTokenId = NullableString(r, 22),
        TokenForFutureUse = Flag(r, 23),
        MerchantInitiated = Flag(r, 24),
        MitType = NullableString(r, 25),
        ChallengeId = NullableString(r, 26),
        AcquirerReference = NullableString(r, 27),
        CashierId = NullableString(r, 28),
        Card = r.IsDBNull(29) ? null : new CardDisplay(r.GetString(29), r.GetString(30), NullableString(r, 31), null),
        AcquirerState = NullableString(r, 32),
        SentAt = r.IsDBNull(33) ? null : r.GetInt64(33),
    };

    private static TokenRecord ReadToken(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        PaymentTokenId = r.GetString(1),
        MerchantNo = r.GetString(2),
        UserId = r.GetString(3),
        CardId = r.GetInt64(4),
        Status = r.GetString(5),
        MitType = NullableString(r, 6),
        ExpiresAt = r.GetInt64(7),
        CreatedAt = r.GetInt64(8),
        Card = ReadCard(r, 9),
        Country = NullableString(r, 20),
    };

    private static DropinSession ReadSession(DbDataReader r, int o) => new()
    {
        SessionKey = r.GetString(o),
        ClientKey = r.GetString(o + 1),
        MerchantNo = r.GetString(o + 2),
        AppId = r.GetString(o + 3),
        UserId = r.GetString(o + 4),
        Currency = r.GetString(o + 5),
        Country = r.GetString(o + 6),
        AmountMinor = r.IsDBNull(o + 7) ? null : r.GetInt64(o + 7),
        MitType = NullableString(r, o + 8),
        TokenForFutureUse = Flag(r, o + 9),
        CreatedAt = r.GetInt64(o + 10),
        ExpiresAt = r.GetInt64(o + 11),
    };

    private static StoredCard ReadCard(DbDataReader r, int o) => new()
    {
        Id = r.GetInt64(o),
        KeyId = r.GetString(o + 1),
        Nonce = (byte[])r[o + 2],
        Ciphertext = (byte[])r[o + 3],
        Tag = (byte[])r[o + 4],
        Fingerprint = r.GetString(o + 5),
        Brand = r.GetString(o + 6),
        Masked = r.GetString(o + 7),
        HolderMasked = NullableString(r, o + 8),
        ExpiryMonth = r.GetInt32(o + 9),
        ExpiryYear = r.GetInt32(o + 10),
    };
}
