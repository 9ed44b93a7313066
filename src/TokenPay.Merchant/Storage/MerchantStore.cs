using Microsoft.Data.Sqlite;

namespace TokenPay.Merchant.Storage;

/// <summary>What a gateway answer or notification says about a payment.</summary>
internal sealed record OrderUpdate(string OutTradeNo, string Status, string? TradeToken, string? ResultCode, string? ResultMsg, string? PaymentTokenId, string? Brand, string? MaskedCard);

/// <summary>
/// The merchant's database (SQLite, WAL). Every state change is one transaction; terminal payment states
/// never change, and a removed card never comes back to life from a late notification, so duplicate and
/// out-of-order deliveries end in the same state.
/// </summary>
internal sealed class MerchantStore(string connectionString, TimeProvider clock) : IMerchantStore, IDisposable
{
    private const string PaymentColumns = "out_trade_no, charge_id, kind, user_id, amount_minor, currency, reason, saves_card, save_mit_type, payment_token_id, trade_token, status, result_code, result_msg, created_at, updated_at";
    private const string WalletColumns = "payment_token_id, user_id, brand, masked_card, expiry, status, mit_allowed, binding_out_trade_no, updated_at";

    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true }.ToString();

    // One writer at a time in this process, queued here rather than on SQLite's busy-retry sleeps.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);", cancellationToken);
        foreach (var (version, sql) in MerchantMigrations.All)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var check = new SqliteCommand("SELECT COUNT(*) FROM schema_migrations WHERE version = @v;", connection, transaction);
            check.Parameters.AddWithValue("@v", version);
            if ((long)(await check.ExecuteScalarAsync(cancellationToken))! > 0)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, sql, cancellationToken);
            await using var record = new SqliteCommand("INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @t);", connection, transaction);
            record.Parameters.AddWithValue("@v", version);
            record.Parameters.AddWithValue("@t", Now());
            await record.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>Records a payment before its request is sent; false when its order number or charge id is already known.</summary>
    public Task<bool> TryCreatePaymentAsync(Payment payment, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = new SqliteCommand($"""
                INSERT INTO payments ({PaymentColumns}) VALUES (@o, @charge, @kind, @user, @amount, @currency, @reason, @saves, @mit, @token, NULL, @status, NULL, NULL, @now, @now)
                ON CONFLICT DO NOTHING;
                """, connection, transaction);
            var p = command.Parameters;
            p.AddWithValue("@o", payment.OutTradeNo);
            p.AddWithValue("@charge", (object?)payment.ChargeId ?? DBNull.Value);
            p.AddWithValue("@kind", payment.Kind);
            p.AddWithValue("@user", payment.UserId);
            p.AddWithValue("@amount", payment.AmountMinor);
            p.AddWithValue("@currency", payment.Currency);
            p.AddWithValue("@reason", (object?)payment.Reason ?? DBNull.Value);
            p.AddWithValue("@saves", payment.SavesCard);
            p.AddWithValue("@mit", (object?)payment.SaveWithMitType ?? DBNull.Value);
            p.AddWithValue("@token", (object?)payment.PaymentTokenId ?? DBNull.Value);
            p.AddWithValue("@status", payment.Status);
            p.AddWithValue("@now", Now());
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<Payment?> FindPaymentAsync(string outTradeNo, CancellationToken cancellationToken) =>
        ReadOneAsync($"SELECT {PaymentColumns} FROM payments WHERE out_trade_no = @k;", outTradeNo, ReadPayment, cancellationToken);

    public Task<Payment?> FindPaymentByChargeAsync(string chargeId, CancellationToken cancellationToken) =>
        ReadOneAsync($"SELECT {PaymentColumns} FROM payments WHERE charge_id = @k;", chargeId, ReadPayment, cancellationToken);

    /// <summary>Payments still CREATED or PENDING that were last touched before <paramref name="before"/>.</summary>
    public Task<IReadOnlyList<Payment>> ListOpenPaymentsAsync(long before, CancellationToken cancellationToken) =>
        ReadAllAsync($"SELECT {PaymentColumns} FROM payments WHERE status IN ('CREATED', 'PENDING') AND updated_at <= @k ORDER BY updated_at LIMIT 500;", before, ReadPayment, cancellationToken);

    /// <summary>Applies what the gateway said about a payment; a final state is never changed. True when something changed.</summary>
    public Task<bool> ApplyOrderAsync(OrderUpdate update, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => ApplyOrderCoreAsync(connection, transaction, update, cancellationToken), cancellationToken);

    /// <summary>
    /// Records a notification and applies it, in one transaction; false for a duplicate (already applied).
    /// </summary>
    public Task<bool> ApplyNotificationAsync(string tradeToken, string status, string notifyType, string? outTradeNo, string body, OrderUpdate? order, WalletEntry? wallet, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var inbox = new SqliteCommand("""
                INSERT INTO notification_inbox (trade_token, status, notify_type, out_trade_no, received_at, body) VALUES (@t, @s, @n, @o, @now, @b)
                ON CONFLICT DO NOTHING;
                """, connection, transaction);
            inbox.Parameters.AddWithValue("@t", tradeToken);
            inbox.Parameters.AddWithValue("@s", status);
            inbox.Parameters.AddWithValue("@n", notifyType);
            inbox.Parameters.AddWithValue("@o", (object?)outTradeNo ?? DBNull.Value);
            inbox.Parameters.AddWithValue("@now", Now());
            inbox.Parameters.AddWithValue("@b", body);
            if (await inbox.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }

            if (order is not null)
            {
                await ApplyOrderCoreAsync(connection, transaction, order, cancellationToken);
            }

            if (wallet is not null)
            {
                await UpsertWalletCoreAsync(connection, transaction, wallet, authoritative: false, cancellationToken);
            }

            return true;
        }, cancellationToken);

    /// <summary>Marks a payment the gateway refused (no order exists there).</summary>
    public Task<bool> RefusePaymentAsync(string outTradeNo, string code, string message, CancellationToken cancellationToken) =>
        ApplyOrderAsync(new OrderUpdate(outTradeNo, PaymentStatuses.Refused, null, code, message, null, null, null), cancellationToken);

    public Task<IReadOnlyList<WalletEntry>> ListWalletAsync(string userId, CancellationToken cancellationToken) =>
        ReadAllAsync($"SELECT {WalletColumns} FROM wallet WHERE user_id = @k ORDER BY created_at;", userId, ReadWallet, cancellationToken);

    public Task<WalletEntry?> FindWalletEntryAsync(string paymentTokenId, CancellationToken cancellationToken) =>
        ReadOneAsync($"SELECT {WalletColumns} FROM wallet WHERE payment_token_id = @k;", paymentTokenId, ReadWallet, cancellationToken);

    /// <summary>Writes what the gateway's token inquiry says: it is the authority, so its status wins.</summary>
    public Task UpsertWalletFromGatewayAsync(WalletEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await UpsertWalletCoreAsync(connection, transaction, entry, authoritative: true, cancellationToken);
            return true;
        }, cancellationToken);

    public Task SetWalletStatusAsync(string paymentTokenId, string status, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = new SqliteCommand("UPDATE wallet SET status = @s, updated_at = @now WHERE payment_token_id = @t;", connection, transaction);
            command.Parameters.AddWithValue("@s", status);
            command.Parameters.AddWithValue("@now", Now());
            command.Parameters.AddWithValue("@t", paymentTokenId);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public void Dispose() => _writeGate.Dispose();

    private async Task<bool> ApplyOrderCoreAsync(SqliteConnection connection, SqliteTransaction transaction, OrderUpdate update, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand("""
            UPDATE payments SET status = @s, trade_token = COALESCE(@tt, trade_token), result_code = @rc, result_msg = @rm,
                                payment_token_id = COALESCE(@token, payment_token_id), updated_at = @now
            WHERE out_trade_no = @o AND (status IN ('CREATED', 'PENDING')
                -- A final payment keeps its state, but may still learn the token it saved (a later query or notification).
                OR (status = 'SUCCESS' AND @s = 'SUCCESS' AND payment_token_id IS NULL AND @token IS NOT NULL))
            RETURNING user_id, saves_card, save_mit_type, payment_token_id;
            """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("@s", update.Status);
        p.AddWithValue("@tt", (object?)update.TradeToken ?? DBNull.Value);
        p.AddWithValue("@rc", (object?)update.ResultCode ?? DBNull.Value);
        p.AddWithValue("@rm", (object?)update.ResultMsg ?? DBNull.Value);
        p.AddWithValue("@token", (object?)update.PaymentTokenId ?? DBNull.Value);
        p.AddWithValue("@now", Now());
        p.AddWithValue("@o", update.OutTradeNo);
        string userId;
        bool savesCard;
        string? mitType;
        string? tokenId;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            (userId, savesCard, mitType, tokenId) = (reader.GetString(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }

        // A successful payment that saved the card puts it in the user's wallet.
        if (update.Status == PaymentStatuses.Success && savesCard && tokenId is { } savedToken)
        {
            await UpsertWalletCoreAsync(connection, transaction, new WalletEntry
            {
                PaymentTokenId = savedToken,
                UserId = userId,
                Brand = update.Brand,
                MaskedCard = update.MaskedCard,
                Status = "Activated",
                MitAllowed = mitType is not null,
                BindingOutTradeNo = update.OutTradeNo,
                UpdatedAt = Now(),
            }, authoritative: false, cancellationToken);
        }

        return true;
    }

    private async Task UpsertWalletCoreAsync(SqliteConnection connection, SqliteTransaction transaction, WalletEntry entry, bool authoritative, CancellationToken cancellationToken)
    {
        // A notification never revives a removed card; the gateway's own inquiry is the authority.
        var status = authoritative ? "excluded.status" : "CASE WHEN wallet.status = 'Deleted' THEN 'Deleted' ELSE excluded.status END";
        await using var command = new SqliteCommand($"""
            INSERT INTO wallet (payment_token_id, user_id, brand, masked_card, expiry, status, mit_allowed, binding_out_trade_no, created_at, updated_at)
            VALUES (@t, @u, @b, @m, @e, @s, @mit, @o, @now, @now)
            ON CONFLICT (payment_token_id) DO UPDATE SET
                brand = COALESCE(excluded.brand, wallet.brand),
                masked_card = COALESCE(excluded.masked_card, wallet.masked_card),
                expiry = COALESCE(excluded.expiry, wallet.expiry),
                status = {status},
                mit_allowed = MAX(wallet.mit_allowed, excluded.mit_allowed),
                binding_out_trade_no = COALESCE(wallet.binding_out_trade_no, excluded.binding_out_trade_no),
                updated_at = excluded.updated_at;
            """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("@t", entry.PaymentTokenId);
        p.AddWithValue("@u", entry.UserId);
        p.AddWithValue("@b", (object?)entry.Brand ?? DBNull.Value);
        p.AddWithValue("@m", (object?)entry.MaskedCard ?? DBNull.Value);
        p.AddWithValue("@e", (object?)entry.Expiry ?? DBNull.Value);
        p.AddWithValue("@s", entry.Status);
        p.AddWithValue("@mit", entry.MitAllowed);
        p.AddWithValue("@o", (object?)entry.BindingOutTradeNo ?? DBNull.Value);
        p.AddWithValue("@now", Now());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<T?> ReadOneAsync<T>(string sql, object? key, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
        where T : class => (await ReadAllAsync(sql, key, map, cancellationToken)) is [var first, ..] ? first : null;

    private async Task<IReadOnlyList<T>> ReadAllAsync<T>(string sql, object? key, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(sql, connection);
        command.Parameters.AddWithValue("@k", key ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static Payment ReadPayment(SqliteDataReader r) => new()
    {
        OutTradeNo = r.GetString(0),
        ChargeId = Text(r, 1),
        Kind = r.GetString(2),
        UserId = r.GetString(3),
        AmountMinor = r.GetInt64(4),
        Currency = r.GetString(5),
        Reason = Text(r, 6),
        SavesCard = r.GetBoolean(7),
        SaveWithMitType = Text(r, 8),
        PaymentTokenId = Text(r, 9),
        TradeToken = Text(r, 10),
        Status = r.GetString(11),
        ResultCode = Text(r, 12),
        ResultMsg = Text(r, 13),
        CreatedAt = r.GetInt64(14),
        UpdatedAt = r.GetInt64(15),
    };

    private static WalletEntry ReadWallet(SqliteDataReader r) => new()
    {
        PaymentTokenId = r.GetString(0),
        UserId = r.GetString(1),
        Brand = Text(r, 2),
        MaskedCard = Text(r, 3),
        Expiry = Text(r, 4),
        Status = r.GetString(5),
        MitAllowed = r.GetBoolean(6),
        BindingOutTradeNo = Text(r, 7),
        UpdatedAt = r.GetInt64(8),
    };
}
