namespace TokenPay.Merchant.Storage;

/// <summary>Versioned schema of the merchant database (SQLite). Append versions; never edit an applied one.</summary>
internal static class MerchantMigrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE payments (
                out_trade_no     TEXT PRIMARY KEY,
                charge_id        TEXT UNIQUE,
                kind             TEXT NOT NULL,
                user_id          TEXT NOT NULL,
                amount_minor     INTEGER NOT NULL,
                currency         TEXT NOT NULL,
                reason           TEXT,
                saves_card       INTEGER NOT NULL,
                save_mit_type    TEXT,
                payment_token_id TEXT,
                trade_token      TEXT,
                status           TEXT NOT NULL,
                result_code      TEXT,
                result_msg       TEXT,
                created_at       INTEGER NOT NULL,
                updated_at       INTEGER NOT NULL
            );
            CREATE INDEX ix_payments_open ON payments (updated_at) WHERE status IN ('CREATED', 'PENDING');

            CREATE TABLE wallet (
                payment_token_id     TEXT PRIMARY KEY,
                user_id              TEXT NOT NULL,
                brand                TEXT,
                masked_card          TEXT,
                expiry               TEXT,
                status               TEXT NOT NULL,
                mit_allowed          INTEGER NOT NULL,
                binding_out_trade_no TEXT,
                created_at           INTEGER NOT NULL,
                updated_at           INTEGER NOT NULL
            );
            CREATE INDEX ix_wallet_user ON wallet (user_id);

            -- Every notification applied, once: (tradeToken, status, type) is the identity of a delivery.
            CREATE TABLE notification_inbox (
                id           INTEGER PRIMARY KEY,
                trade_token  TEXT NOT NULL,
                status       TEXT NOT NULL,
                notify_type  TEXT NOT NULL,
                out_trade_no TEXT,
                received_at  INTEGER NOT NULL,
                body         TEXT NOT NULL,
                UNIQUE (trade_token, status, notify_type)
            );
            """),
    ];
}
