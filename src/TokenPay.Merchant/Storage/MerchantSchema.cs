using TokenPay.Storage;

namespace TokenPay.Merchant.Storage;

/// <summary>
/// The merchant database's versioned schema, written once for both engines (<see cref="Schema.ForBothEngines"/>).
/// Append new versions; never edit an applied one (a database records the versions it applied, by number).
/// </summary>
internal static class MerchantSchema
{
    public static Migration[] Versions(EngineTypes t) =>
    [
        new(1, PaymentsWalletAndInbox(t)),
        new(2, Refunds(t)),
        new(3, SmartRetries(t)),
        new(4, Sends),
        new(5, OperatorListIndexes),
        new(6, Disputes(t)),
    ];

    /// <summary>Payments, the wallet of saved cards, and the notification inbox.</summary>
    private static string PaymentsWalletAndInbox(EngineTypes t) => $"""
        CREATE TABLE payments (
            out_trade_no     TEXT PRIMARY KEY,
            charge_id        TEXT UNIQUE,
            kind             TEXT NOT NULL,
            user_id          TEXT NOT NULL,
            amount_minor     {t.BigInt} NOT NULL,
            currency         TEXT NOT NULL,
            reason           TEXT,
            saves_card       INTEGER NOT NULL,
            save_mit_type    TEXT,
            payment_token_id TEXT,
            trade_token      TEXT,
            status           TEXT NOT NULL,
            result_code      TEXT,
            result_msg       TEXT,
            created_at       {t.BigInt} NOT NULL,
            updated_at       {t.BigInt} NOT NULL
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
            created_at           {t.BigInt} NOT NULL,
            updated_at           {t.BigInt} NOT NULL
        );
        CREATE INDEX ix_wallet_user ON wallet (user_id);

        -- Every notification applied, once: (tradeToken, status, type) is the identity of a delivery.
        CREATE TABLE notification_inbox (
            id           {t.Id},
            trade_token  TEXT NOT NULL,
            status       TEXT NOT NULL,
            notify_type  TEXT NOT NULL,
            out_trade_no TEXT,
            received_at  {t.BigInt} NOT NULL,
            body         TEXT NOT NULL,
            UNIQUE (trade_token, status, notify_type)
        );
        """;

    /// <summary>Refunds the merchant asked for.</summary>
    private static string Refunds(EngineTypes t) => $"""
        -- Refunds the merchant asked for: recorded before the request is sent, keyed by the caller's refund id.
        CREATE TABLE refunds (
            out_refund_no   TEXT PRIMARY KEY,
            refund_id       TEXT NOT NULL UNIQUE,
            out_trade_no    TEXT NOT NULL REFERENCES payments(out_trade_no),
            amount_minor    {t.BigInt} NOT NULL,
            currency        TEXT NOT NULL,
            reason          TEXT,
            status          TEXT NOT NULL,
            refund_trade_no TEXT,
            result_code     TEXT,
            result_msg      TEXT,
            created_at      {t.BigInt} NOT NULL,
            updated_at      {t.BigInt} NOT NULL
        );
        CREATE INDEX ix_refunds_open ON refunds (updated_at) WHERE status IN ('CREATED', 'REFUND_PENDING');
        """;

    /// <summary>Smart retries of declined charges.</summary>
    private static string SmartRetries(EngineTypes t) => $"""
        -- Smart retries (docs/stored-credentials.md): each retry of a declined charge is a payment of its own,
        -- linked to the charge (one row per attempt number); the network's advice is kept per attempt and the
        -- charge's first payment holds when the next retry is due and why there is none.
        ALTER TABLE payments ADD COLUMN charge_of TEXT;
        ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE payments ADD COLUMN advice_category INTEGER;
        ALTER TABLE payments ADD COLUMN merchant_advice_code TEXT;
        ALTER TABLE payments ADD COLUMN retry_at {t.BigInt};
        ALTER TABLE payments ADD COLUMN retry_note TEXT;
        CREATE UNIQUE INDEX ux_payments_charge_attempt ON payments (charge_of, attempt);
        CREATE INDEX ix_payments_retry_due ON payments (retry_at) WHERE retry_at IS NOT NULL;
        CREATE INDEX ix_payments_token ON payments (payment_token_id, created_at);
        -- Why a saved card needs its customer (closed, replaced, declined for good); null when it does not.
        ALTER TABLE wallet ADD COLUMN attention TEXT;
        """;

    /// <summary>How many times a request was handed to the network.</summary>
    private const string Sends = """
        -- How many times a payment's or refund's request was handed to the network: 0 means it never left, so a
        -- refusal may be reopened and an absent order proves nothing was charged. Rows from before were sent.
        ALTER TABLE payments ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
        UPDATE payments SET sends = 1;
        ALTER TABLE refunds ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
        UPDATE refunds SET sends = 1;
        """;

    /// <summary>The operator's lists.</summary>
    private const string OperatorListIndexes = """
        -- The operator's lists: newest first, by user, and a payment's refunds.
        CREATE INDEX ix_payments_created ON payments (created_at, out_trade_no);
        CREATE INDEX ix_payments_user ON payments (user_id, created_at);
        CREATE INDEX ix_refunds_payment ON refunds (out_trade_no, created_at);
        """;

    /// <summary>Dispute cases (docs/disputes.md), their timeline, the caseList cursor, and cards a fraud case took from MITs.</summary>
    private static string Disputes(EngineTypes t) => $"""
        -- A dispute case as last heard (CHARGEBACK notification, caseSearch or caseList); money in minor units. A case
        -- never goes back: status_rank orders the states, and an older state only adds to the timeline.
        CREATE TABLE disputes (
            case_id          TEXT PRIMARY KEY,
            out_trade_no     TEXT NOT NULL,
            trade_token      TEXT NOT NULL,
            user_id          TEXT NOT NULL,
            payment_token_id TEXT,
            reason_category  TEXT NOT NULL,
            reason_code      TEXT NOT NULL,
            reason_message   TEXT NOT NULL,
            amount_minor     {t.BigInt} NOT NULL,
            fee_minor        {t.BigInt} NOT NULL,
            total_minor      {t.BigInt} NOT NULL,
            currency         TEXT NOT NULL,
            status           TEXT NOT NULL,
            status_rank      INTEGER NOT NULL,
            case_result      TEXT,
            retrieval_date   TEXT NOT NULL,
            expiration_date  TEXT NOT NULL,
            answer_content   TEXT,
            answer_files     TEXT,
            answered_at      {t.BigInt},
            created_at       {t.BigInt} NOT NULL,
            updated_at       {t.BigInt} NOT NULL
        );
        CREATE INDEX ix_disputes_updated ON disputes (updated_at, case_id);
        CREATE INDEX ix_disputes_payment ON disputes (out_trade_no);

        -- Each state a case was seen in, once, with when it happened.
        CREATE TABLE dispute_timeline (
            case_id TEXT NOT NULL REFERENCES disputes(case_id),
            status  TEXT NOT NULL,
            at      {t.BigInt} NOT NULL,
            UNIQUE (case_id, status)
        );

        -- Where caseList goes on from (its nextCursor), kept so a restart does not read every case again.
        CREATE TABLE dispute_sync (
            name      TEXT PRIMARY KEY,
            cursor    TEXT NOT NULL,
            synced_at {t.BigInt} NOT NULL
        );

        -- The FRAUD case that took this card from charges without the customer; null when none did.
        ALTER TABLE wallet ADD COLUMN fraud_case_id TEXT;
        """;
}
