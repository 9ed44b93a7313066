using TokenPay.Storage;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulator's own tables, versioned in their own bookkeeping table next to the gateway's. Version 1 is the
/// decision table the gateway's schema created before the simulator had a project of its own; version 3 adds
/// disputes (docs/disputes.md).
/// </summary>
internal static class SimulatorSchema
{
    public static readonly Schema Schema = Schema.ForBothEngines("acquirer-simulator", Versions, lockId: 0x53696D756C61746F, migrationsTable: "acquirer_simulator_migrations");

    private static Migration[] Versions(EngineTypes t) =>
    [
        new(1, $"""
            CREATE TABLE IF NOT EXISTS acquirer_simulator_decisions (
                trade_token TEXT PRIMARY KEY,
                decision    TEXT NOT NULL,
                code        TEXT,
                message     TEXT,
                reference   TEXT,
                decided_at  {t.BigInt} NOT NULL,
                settles_at  {t.BigInt}
            );
            """),
        new(2, $"""
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN network_transaction_id TEXT;
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN advice_category INTEGER;
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN merchant_advice_code TEXT;
            -- The simulator's own secret: it keys the card references below (never a card number).
            CREATE TABLE acquirer_simulator_settings (
                name  TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            -- Network transaction ids it issued, and whether the transaction stored the card with consent.
            CREATE TABLE acquirer_simulator_credentials (
                network_transaction_id TEXT PRIMARY KEY,
                merchant_no            TEXT NOT NULL,
                card_key               TEXT NOT NULL,
                stored                 INTEGER NOT NULL,
                created_at             {t.BigInt} NOT NULL
            );
            CREATE INDEX ix_simulator_credentials_card ON acquirer_simulator_credentials (merchant_no, card_key, created_at);
            -- Every merchant-initiated attempt per merchant and card: retry budgets, advice and violations.
            CREATE TABLE acquirer_simulator_mits (
                id                   {t.Id},
                merchant_no          TEXT NOT NULL,
                card_key             TEXT NOT NULL,
                trade_token          TEXT NOT NULL,
                declined             INTEGER NOT NULL,
                advice_category      INTEGER,
                merchant_advice_code TEXT,
                reattempt            INTEGER NOT NULL,
                violation            TEXT,
                decided_at           {t.BigInt} NOT NULL
            );
            CREATE INDEX ix_simulator_mits_card ON acquirer_simulator_mits (merchant_no, card_key, id);
            -- When the simulator first saw an account-updater test card, and the expiry it had then.
            CREATE TABLE acquirer_simulator_cards (
                card_key      TEXT PRIMARY KEY,
                first_seen_at {t.BigInt} NOT NULL,
                expiry_month  INTEGER NOT NULL,
                expiry_year   INTEGER NOT NULL
            );
            -- 3-D Secure challenges shown on the simulator's page (what the page may show, never the card number).
            CREATE TABLE acquirer_simulator_challenges (
                challenge_id TEXT PRIMARY KEY,
                trade_token  TEXT NOT NULL,
                amount_minor {t.BigInt} NOT NULL,
                currency     TEXT NOT NULL,
                subject      TEXT NOT NULL,
                masked_card  TEXT NOT NULL,
                expires_at   {t.BigInt} NOT NULL,
                used_at      {t.BigInt}
            );
            """),
        new(3, $"""
            -- What an approval took and from which card, and what a refund gave back of which payment: what is left to dispute.
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN merchant_no TEXT;
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN card_key TEXT;
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN card_brand TEXT;
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN amount_minor {t.BigInt};
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN currency TEXT;
            ALTER TABLE acquirer_simulator_decisions ADD COLUMN refund_of TEXT;
            CREATE INDEX ix_simulator_decisions_refund_of ON acquirer_simulator_decisions (refund_of);
            -- Disputes the simulated networks raise (docs/disputes.md): planned at approval, raised at raise_at with
            -- what was left of the payment then (not_raised: nothing was), ruled and closed lazily as the clock passes.
            CREATE TABLE acquirer_simulator_disputes (
                case_id         TEXT PRIMARY KEY,
                trade_token     TEXT NOT NULL,
                merchant_no     TEXT NOT NULL,
                card_key        TEXT NOT NULL,
                reason_category TEXT NOT NULL,
                reason_code     TEXT NOT NULL,
                reason_message  TEXT NOT NULL,
                currency        TEXT NOT NULL,
                raise_at        {t.BigInt} NOT NULL,
                reply_by        TEXT NOT NULL,
                ruling_if_answered TEXT NOT NULL,
                withdraw_at     {t.BigInt},
                amount_minor    {t.BigInt},
                fee_minor       {t.BigInt},
                not_raised      INTEGER NOT NULL DEFAULT 0,
                answered_at     {t.BigInt},
                evidence_text   TEXT,
                evidence_files  TEXT,
                ruling          TEXT,
                ruled_at        {t.BigInt},
                closed_at       {t.BigInt},
                cancelled_at    {t.BigInt}
            );
            CREATE INDEX ix_simulator_disputes_card ON acquirer_simulator_disputes (merchant_no, card_key, reason_category, raise_at);
            CREATE INDEX ix_simulator_disputes_trade_token ON acquirer_simulator_disputes (trade_token);
            CREATE INDEX ix_simulator_disputes_raise_at ON acquirer_simulator_disputes (raise_at);
            -- Reports (case id:stage) the gateway acknowledged: not sent again.
            CREATE TABLE acquirer_simulator_dispute_acks (
                report_id       TEXT PRIMARY KEY,
                case_id         TEXT NOT NULL,
                stage           TEXT NOT NULL,
                acknowledged_at {t.BigInt} NOT NULL
            );
            CREATE INDEX ix_simulator_dispute_acks_case ON acquirer_simulator_dispute_acks (case_id, stage);
            """),
    ];
}
