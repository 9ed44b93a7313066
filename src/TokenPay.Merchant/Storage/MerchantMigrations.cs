using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>Versioned schema of the merchant database, per engine (the same tables and versions). Append versions to both; never edit an applied one.</summary>
internal static class MerchantMigrations
{
    public static readonly IReadOnlyList<Migration> Sqlite =
    [
        new(1, """
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
        new(2, """
            -- Refunds the merchant asked for: recorded before the request is sent, keyed by the caller's refund id.
            CREATE TABLE refunds (
                out_refund_no   TEXT PRIMARY KEY,
                refund_id       TEXT NOT NULL UNIQUE,
                out_trade_no    TEXT NOT NULL REFERENCES payments(out_trade_no),
                amount_minor    INTEGER NOT NULL,
                currency        TEXT NOT NULL,
                reason          TEXT,
                status          TEXT NOT NULL,
                refund_trade_no TEXT,
                result_code     TEXT,
                result_msg      TEXT,
                created_at      INTEGER NOT NULL,
                updated_at      INTEGER NOT NULL
            );
            CREATE INDEX ix_refunds_open ON refunds (updated_at) WHERE status IN ('CREATED', 'REFUND_PENDING');
            """),
        new(3, """
            -- Smart retries (docs/stored-credentials.md): each retry of a declined charge is a payment of its own,
            -- linked to the charge (one row per attempt number); the network's advice is kept per attempt and the
            -- charge's first payment holds when the next retry is due and why there is none.
            ALTER TABLE payments ADD COLUMN charge_of TEXT;
            ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE payments ADD COLUMN advice_category INTEGER;
            ALTER TABLE payments ADD COLUMN merchant_advice_code TEXT;
            ALTER TABLE payments ADD COLUMN retry_at INTEGER;
            ALTER TABLE payments ADD COLUMN retry_note TEXT;
            CREATE UNIQUE INDEX ux_payments_charge_attempt ON payments (charge_of, attempt);
            CREATE INDEX ix_payments_retry_due ON payments (retry_at) WHERE retry_at IS NOT NULL;
            CREATE INDEX ix_payments_token ON payments (payment_token_id, created_at);
            -- Why a saved card needs its customer (closed, replaced, declined for good); null when it does not.
            ALTER TABLE wallet ADD COLUMN attention TEXT;
            """),
        new(4, """
            -- How many times a payment's or refund's request was handed to the network: 0 means it never left, so a
            -- refusal may be reopened and an absent order proves nothing was charged. Rows from before were sent.
            ALTER TABLE payments ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
            UPDATE payments SET sends = 1;
            ALTER TABLE refunds ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
            UPDATE refunds SET sends = 1;
            """),
        new(5, """
            -- The operator's lists: newest first, by user, and a payment's refunds.
            CREATE INDEX ix_payments_created ON payments (created_at, out_trade_no);
            CREATE INDEX ix_payments_user ON payments (user_id, created_at);
            CREATE INDEX ix_refunds_payment ON refunds (out_trade_no, created_at);
            """),
    ];

    public static readonly IReadOnlyList<Migration> Postgres =
    [
        new(1, """
            CREATE TABLE payments (
                out_trade_no     TEXT PRIMARY KEY,
                charge_id        TEXT UNIQUE,
                kind             TEXT NOT NULL,
                user_id          TEXT NOT NULL,
                amount_minor     BIGINT NOT NULL,
                currency         TEXT NOT NULL,
                reason           TEXT,
                saves_card       INTEGER NOT NULL,
                save_mit_type    TEXT,
                payment_token_id TEXT,
                trade_token      TEXT,
                status           TEXT NOT NULL,
                result_code      TEXT,
                result_msg       TEXT,
                created_at       BIGINT NOT NULL,
                updated_at       BIGINT NOT NULL
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
                created_at           BIGINT NOT NULL,
                updated_at           BIGINT NOT NULL
            );
            CREATE INDEX ix_wallet_user ON wallet (user_id);

            CREATE TABLE notification_inbox (
                id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                trade_token  TEXT NOT NULL,
                status       TEXT NOT NULL,
                notify_type  TEXT NOT NULL,
                out_trade_no TEXT,
                received_at  BIGINT NOT NULL,
                body         TEXT NOT NULL,
                UNIQUE (trade_token, status, notify_type)
            );
            """),
        new(2, """
            -- Refunds the merchant asked for: recorded before the request is sent, keyed by the caller's refund id.
            CREATE TABLE refunds (
                out_refund_no   TEXT PRIMARY KEY,
                refund_id       TEXT NOT NULL UNIQUE,
                out_trade_no    TEXT NOT NULL REFERENCES payments(out_trade_no),
                amount_minor    BIGINT NOT NULL,
                currency        TEXT NOT NULL,
                reason          TEXT,
                status          TEXT NOT NULL,
                refund_trade_no TEXT,
                result_code     TEXT,
                result_msg      TEXT,
                created_at      BIGINT NOT NULL,
                updated_at      BIGINT NOT NULL
            );
            CREATE INDEX ix_refunds_open ON refunds (updated_at) WHERE status IN ('CREATED', 'REFUND_PENDING');
            """),
        new(3, """
            -- Smart retries (docs/stored-credentials.md): each retry of a declined charge is a payment of its own,
            -- linked to the charge (one row per attempt number); the network's advice is kept per attempt and the
            -- charge's first payment holds when the next retry is due and why there is none.
            ALTER TABLE payments ADD COLUMN charge_of TEXT;
            ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE payments ADD COLUMN advice_category INTEGER;
            ALTER TABLE payments ADD COLUMN merchant_advice_code TEXT;
            ALTER TABLE payments ADD COLUMN retry_at BIGINT;
            ALTER TABLE payments ADD COLUMN retry_note TEXT;
            CREATE UNIQUE INDEX ux_payments_charge_attempt ON payments (charge_of, attempt);
            CREATE INDEX ix_payments_retry_due ON payments (retry_at) WHERE retry_at IS NOT NULL;
            CREATE INDEX ix_payments_token ON payments (payment_token_id, created_at);
            -- Why a saved card needs its customer (closed, replaced, declined for good); null when it does not.
            ALTER TABLE wallet ADD COLUMN attention TEXT;
            """),
        new(4, """
            -- How many times a payment's or refund's request was handed to the network: 0 means it never left, so a
            -- refusal may be reopened and an absent order proves nothing was charged. Rows from before were sent.
            ALTER TABLE payments ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
            UPDATE payments SET sends = 1;
            ALTER TABLE refunds ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
            UPDATE refunds SET sends = 1;
            """),
        new(5, """
            -- The operator's lists: newest first, by user, and a payment's refunds.
            CREATE INDEX ix_payments_created ON payments (created_at, out_trade_no);
            CREATE INDEX ix_payments_user ON payments (user_id, created_at);
            CREATE INDEX ix_refunds_payment ON refunds (out_trade_no, created_at);
            """),
    ];
}
