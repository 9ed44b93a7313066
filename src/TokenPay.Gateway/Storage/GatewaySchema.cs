using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>
/// The gateway's versioned schema, written once for both engines (<see cref="Schema.ForBothEngines"/>). Flags are
/// 0/1 integers on both, so the stores' SQL is shared. Append new versions; never edit an applied one (a database
/// records the versions it applied, by number).
/// </summary>
internal static class GatewaySchema
{
    public static Migration[] Versions(EngineTypes t) =>
    [
        new(1, CardsOrdersAndTokens(t)),
        new(2, NotificationOutbox(t)),
        new(3, CashierAndDropin(t)),
        new(4, AcquirerState(t)),
        new(5, TokenCountry),
        new(6, Refunds(t)),
        new(7, StoredCredentials(t)),
        new(8, TokenExpiryIndex),
        new(9, Disputes(t)),
    ];

    /// <summary>The vault, orders and payment tokens.</summary>
    private static string CardsOrdersAndTokens(EngineTypes t) => $"""
        CREATE TABLE settings (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        CREATE TABLE vault_cards (
            id            {t.Id},
            key_id        TEXT NOT NULL,
            nonce         {t.Bytes} NOT NULL,
            ciphertext    {t.Bytes} NOT NULL,
            tag           {t.Bytes} NOT NULL,
            fingerprint   TEXT NOT NULL,
            brand         TEXT NOT NULL,
            masked        TEXT NOT NULL,
            holder_masked TEXT,
            expiry_month  INTEGER NOT NULL,
            expiry_year   INTEGER NOT NULL
        );

        CREATE TABLE orders (
            id                   {t.Id},
            trade_token          TEXT NOT NULL UNIQUE,
            merchant_no          TEXT NOT NULL,
            app_id               TEXT NOT NULL,
            out_trade_no         TEXT NOT NULL,
            out_trade_no_key     TEXT NOT NULL,
            integrate            TEXT NOT NULL,
            subject              TEXT NOT NULL,
            amount_minor         {t.BigInt} NOT NULL,
            currency             TEXT NOT NULL,
            country              TEXT NOT NULL,
            user_id              TEXT NOT NULL,
            reference            TEXT,
            language             TEXT,
            front_callback_url   TEXT,
            notify_url           TEXT,
            status               TEXT NOT NULL,
            result_code          TEXT,
            result_msg           TEXT,
            created_at           {t.BigInt} NOT NULL,
            expires_at           {t.BigInt} NOT NULL,
            completed_at         {t.BigInt},
            card_id              {t.BigInt} REFERENCES vault_cards(id),
            payment_token_id     TEXT,
            token_for_future_use INTEGER NOT NULL,
            merchant_initiated   INTEGER NOT NULL,
            mit_type             TEXT,
            acquirer_reference   TEXT,
            challenge_id         TEXT UNIQUE,
            challenge_used       INTEGER NOT NULL DEFAULT 0
        );
        -- outTradeNo is unique per merchant, case-insensitively: the key column holds it upper-cased.
        CREATE UNIQUE INDEX ux_orders_out_trade_no ON orders (merchant_no, out_trade_no_key);
        CREATE INDEX ix_orders_pending_expiry ON orders (expires_at) WHERE status = 'PENDING';

        CREATE TABLE payment_tokens (
            id               {t.Id},
            payment_token_id TEXT NOT NULL UNIQUE,
            merchant_no      TEXT NOT NULL,
            user_id          TEXT NOT NULL,
            card_id          {t.BigInt} NOT NULL REFERENCES vault_cards(id),
            fingerprint      TEXT NOT NULL,
            status           TEXT NOT NULL,
            mit_type         TEXT,
            expires_at       {t.BigInt} NOT NULL,
            created_at       {t.BigInt} NOT NULL,
            deleted_at       {t.BigInt}
        );
        -- One token per card per user while Activated.
        CREATE UNIQUE INDEX ux_tokens_active_card ON payment_tokens (merchant_no, user_id, fingerprint) WHERE status = 'Activated';
        CREATE INDEX ix_tokens_user ON payment_tokens (merchant_no, user_id);
        """;

    /// <summary>The notification outbox and its delivery attempts.</summary>
    private static string NotificationOutbox(EngineTypes t) => $"""
        -- The outbox: one row per (order, notification type), written in the transaction that ends the order.
        CREATE TABLE notifications (
            id               {t.Id},
            order_id         {t.BigInt} NOT NULL REFERENCES orders(id),
            merchant_no      TEXT NOT NULL,
            notify_type      TEXT NOT NULL,
            url              TEXT NOT NULL,
            body             {t.Bytes} NOT NULL,
            status           TEXT NOT NULL,
            schedule_index   INTEGER NOT NULL DEFAULT 0,
            attempts         INTEGER NOT NULL DEFAULT 0,
            first_attempt_at {t.BigInt},
            next_attempt_at  {t.BigInt},
            lease_owner      TEXT,
            lease_expires_at {t.BigInt},
            created_at       {t.BigInt} NOT NULL,
            delivered_at     {t.BigInt}
        );
        CREATE UNIQUE INDEX ux_notifications_order_type ON notifications (order_id, notify_type);
        CREATE INDEX ix_notifications_due ON notifications (next_attempt_at) WHERE status = 'Pending';

        CREATE TABLE notification_attempts (
            id               {t.Id},
            notification_id  {t.BigInt} NOT NULL REFERENCES notifications(id),
            attempt          INTEGER NOT NULL,
            started_at       {t.BigInt} NOT NULL,
            http_status      INTEGER,
            latency_ms       {t.BigInt} NOT NULL,
            response_excerpt TEXT,
            error            TEXT,
            UNIQUE (notification_id, attempt)
        );
        """;

    /// <summary>Hosted cashier links and Drop-in sessions and tokens.</summary>
    private static string CashierAndDropin(EngineTypes t) => $"""
        -- Hosted cashier: the secret of the order's cashier link.
        ALTER TABLE orders ADD COLUMN cashier_id TEXT;
        CREATE UNIQUE INDEX ux_orders_cashier ON orders (cashier_id) WHERE cashier_id IS NOT NULL;

        CREATE TABLE dropin_sessions (
            session_key          TEXT PRIMARY KEY,
            client_key           TEXT NOT NULL UNIQUE,
            merchant_no          TEXT NOT NULL,
            app_id               TEXT NOT NULL,
            user_id              TEXT NOT NULL,
            currency             TEXT NOT NULL,
            country              TEXT NOT NULL,
            amount_minor         {t.BigInt},
            mit_type             TEXT,
            token_for_future_use INTEGER NOT NULL,
            created_at           {t.BigInt} NOT NULL,
            expires_at           {t.BigInt} NOT NULL
        );

        -- One-time tokens the Drop-in component hands the merchant page; used at most once.
        CREATE TABLE dropin_tokens (
            payment_token TEXT PRIMARY KEY,
            session_key   TEXT NOT NULL REFERENCES dropin_sessions(session_key),
            card_id       {t.BigInt} NOT NULL REFERENCES vault_cards(id),
            used_at       {t.BigInt},
            created_at    {t.BigInt} NOT NULL,
            expires_at    {t.BigInt} NOT NULL
        );
        """;

    /// <summary>Where an order stands with the acquirer, and the acquirer simulator's first table.</summary>
    private static string AcquirerState(EngineTypes t) => $"""
        -- Where a PENDING order stands with the acquirer: crash recovery asks about SENDING/PENDING orders,
        -- and a token's removal waits for the SENDING ones on that token.
        ALTER TABLE orders ADD COLUMN acquirer_state TEXT;
        ALTER TABLE orders ADD COLUMN sent_at {t.BigInt};
        CREATE INDEX ix_orders_at_acquirer ON orders (sent_at) WHERE acquirer_state IS NOT NULL;
        CREATE INDEX ix_orders_token_sending ON orders (payment_token_id) WHERE acquirer_state = 'SENDING';

        -- The acquirer simulator's memory: what it decided per trade token, kept like a real acquirer keeps it.
        CREATE TABLE acquirer_simulator_decisions (
            trade_token TEXT PRIMARY KEY,
            decision    TEXT NOT NULL,
            code        TEXT,
            message     TEXT,
            reference   TEXT,
            decided_at  {t.BigInt} NOT NULL
        );
        """;

    /// <summary>The country a token's card was saved with.</summary>
    private const string TokenCountry = """
        -- The country of the order that saved the card: a token payment without country takes it.
        ALTER TABLE payment_tokens ADD COLUMN country TEXT;
        """;

    /// <summary>Refunds, and the outbox keyed by what it notifies.</summary>
    private static string Refunds(EngineTypes t) => $"""
        -- Refunds: several per SUCCESS order; refunded_minor on the order is what its non-failed refunds take
        -- back, raised and checked in one conditional UPDATE, so concurrent refunds never exceed the payment.
        ALTER TABLE orders ADD COLUMN refunded_minor {t.BigInt} NOT NULL DEFAULT 0;
        CREATE TABLE refunds (
            id                {t.Id},
            refund_trade_no   TEXT NOT NULL UNIQUE,
            merchant_no       TEXT NOT NULL,
            app_id            TEXT NOT NULL,
            out_refund_no     TEXT NOT NULL,
            out_refund_no_key TEXT NOT NULL,
            order_id          {t.BigInt} NOT NULL REFERENCES orders(id),
            amount_minor      {t.BigInt} NOT NULL,
            currency          TEXT NOT NULL,
            comments          TEXT,
            notify_url        TEXT,
            status            TEXT NOT NULL,
            result_msg        TEXT,
            created_at        {t.BigInt} NOT NULL,
            completed_at      {t.BigInt},
            check_at          {t.BigInt},
            UNIQUE (merchant_no, out_refund_no_key)
        );
        CREATE INDEX ix_refunds_open ON refunds (check_at) WHERE check_at IS NOT NULL;
        CREATE INDEX ix_refunds_order ON refunds (order_id);

        -- The outbox is keyed by what it notifies ('order:ID', 'refund:ID'), not by order alone.
        ALTER TABLE notifications ADD COLUMN subject TEXT;
        UPDATE notifications SET subject = 'order:' || order_id;
        DROP INDEX ux_notifications_order_type;
        CREATE UNIQUE INDEX ux_notifications_subject_type ON notifications (subject, notify_type);

        -- When the simulator settles a pending decision (a refund that completes later).
        ALTER TABLE acquirer_simulator_decisions ADD COLUMN settles_at {t.BigInt};
        """;

    /// <summary>Stored credentials and the account updater.</summary>
    private static string StoredCredentials(EngineTypes t) => $"""
        -- Stored credentials (docs/stored-credentials.md): which acquirer an order went to, the network
        -- transaction id of an approved order (a storing one is kept with its token), and a decline's advice.
        ALTER TABLE orders ADD COLUMN acquirer TEXT;
        ALTER TABLE orders ADD COLUMN network_transaction_id TEXT;
        ALTER TABLE orders ADD COLUMN advice_category INTEGER;
        ALTER TABLE orders ADD COLUMN merchant_advice_code TEXT;
        ALTER TABLE payment_tokens ADD COLUMN network_transaction_id TEXT;
        -- Tokens saved before: networks accept their MITs without an initial transaction id.
        ALTER TABLE payment_tokens ADD COLUMN legacy_credential INTEGER NOT NULL DEFAULT 0;
        UPDATE payment_tokens SET legacy_credential = 1;
        -- The account updater's last change to the card behind a token (NEW_EXPIRY, NEW_NUMBER, CLOSED).
        ALTER TABLE payment_tokens ADD COLUMN card_update TEXT;
        ALTER TABLE payment_tokens ADD COLUMN card_updated_at {t.BigInt};
        ALTER TABLE payment_tokens ADD COLUMN updates_checked_at {t.BigInt};
        UPDATE payment_tokens SET updates_checked_at = created_at;
        CREATE INDEX ix_tokens_update_check ON payment_tokens (status, updates_checked_at);
        """;

    /// <summary>The card-expiry sweep of tokens.</summary>
    private const string TokenExpiryIndex = """
        -- The sweep ends tokens whose card expired (status Expired, with a TOKENIZATION notification).
        CREATE INDEX ix_tokens_expiry ON payment_tokens (expires_at) WHERE status = 'Activated';
        """;

    /// <summary>Disputes (docs/disputes.md): cases, their timelines, and what they freeze or take back on the order.</summary>
    private static string Disputes(EngineTypes t) => $"""
        -- refunded + disputed + charged back never exceed the paid amount: every change of the three is one
        -- conditional UPDATE of the order that checks their sum.
        ALTER TABLE orders ADD COLUMN disputed_minor {t.BigInt} NOT NULL DEFAULT 0;
        ALTER TABLE orders ADD COLUMN charged_back_minor {t.BigInt} NOT NULL DEFAULT 0;

        CREATE TABLE disputes (
            id                    {t.Id},
            case_id               TEXT NOT NULL UNIQUE,
            acquirer              TEXT NOT NULL,
            acquirer_case_id      TEXT NOT NULL,
            order_id              {t.BigInt} NOT NULL REFERENCES orders(id),
            merchant_no           TEXT NOT NULL,
            app_id                TEXT NOT NULL,
            reason_category       TEXT NOT NULL,
            reason_code           TEXT NOT NULL,
            reason_message        TEXT NOT NULL,
            amount_minor          {t.BigInt} NOT NULL,
            fee_minor             {t.BigInt} NOT NULL,
            currency              TEXT NOT NULL,
            status                TEXT NOT NULL,
            case_result           TEXT,
            retrieval_date        TEXT NOT NULL,
            expiration_date       TEXT NOT NULL,
            answer_text           TEXT,
            answer_files          TEXT,
            answered_at           {t.BigInt},
            evidence_forwarded_at {t.BigInt},
            created_at            {t.BigInt} NOT NULL,
            updated_at            {t.BigInt} NOT NULL,
            change_seq            {t.BigInt} NOT NULL UNIQUE,
            UNIQUE (acquirer, acquirer_case_id)
        );
        CREATE INDEX ix_disputes_merchant_changes ON disputes (merchant_no, change_seq);
        CREATE INDEX ix_disputes_order ON disputes (order_id);
        CREATE INDEX ix_disputes_evidence_waiting ON disputes (answered_at) WHERE answered_at IS NOT NULL AND evidence_forwarded_at IS NULL;

        -- caseList's cursor: every change of a case takes the next number from this one row. Taking it locks the
        -- row until the change commits, so changes commit in the order of their numbers and a reader that saw
        -- number N has already seen every change numbered below N: the cursor never skips one.
        CREATE TABLE dispute_changes (
            id   INTEGER PRIMARY KEY,
            last {t.BigInt} NOT NULL
        );
        INSERT INTO dispute_changes (id, last) VALUES (1, 0);

        -- A case's timeline: one row per report of the network (by its id, so a repeated report is recorded once)
        -- and per answer of the merchant.
        CREATE TABLE dispute_events (
            id          {t.Id},
            dispute_id  {t.BigInt} NOT NULL REFERENCES disputes(id),
            report_id   TEXT NOT NULL UNIQUE,
            status      TEXT NOT NULL,
            case_result TEXT,
            happened_at {t.BigInt} NOT NULL,
            recorded_at {t.BigInt} NOT NULL
        );
        CREATE INDEX ix_dispute_events_dispute ON dispute_events (dispute_id);
        """;
}
