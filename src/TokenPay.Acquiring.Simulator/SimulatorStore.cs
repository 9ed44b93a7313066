using System.Security.Cryptography;
using System.Text;
using TokenPay.Storage;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The simulator's durable memory, as a card network keeps it: its decision per trade token, the network
/// transaction ids it issued, every merchant-initiated attempt per merchant and card, the account-updater
/// cards it has seen, and its 3-D Secure challenges. Cards are known only by a key of the simulator's own
/// secret, never by number.
/// </summary>
internal sealed class SimulatorStore(RelationalDatabase database)
{
    private const string SecretName = "card_key_secret";

    /// <summary>The most attempts per merchant and card read to judge a new one: well past the networks' retry limits (<see cref="TokenPay.Protocol.NetworkRetryLimits"/>).</summary>
    private const int HistoryRows = 100;

    private const string SelectSeenCard = "SELECT first_seen_at, expiry_month, expiry_year FROM acquirer_simulator_cards WHERE card_key = @cardKey;";

    private byte[]? _cardKeySecret;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(SimulatorSchema.Schema, cancellationToken);
        var secret = await database.WriteAsync(async write =>
        {
            await write.ExecuteAsync("INSERT INTO acquirer_simulator_settings (name, value) VALUES (@SecretName, @value) ON CONFLICT (name) DO NOTHING;",
                new { SecretName, value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, cancellationToken);
            return await write.ScalarAsync<string>("SELECT value FROM acquirer_simulator_settings WHERE name = @SecretName;", new { SecretName }, cancellationToken);
        }, cancellationToken);
        _cardKeySecret = Convert.FromBase64String(secret!);
    }

    /// <summary>The simulator's reference of a card account (a keyed hash: the same card gives the same key, the key gives no card).</summary>
    public string CardKey(string pan) =>
        Convert.ToHexString(HMACSHA256.HashData(_cardKeySecret ?? throw new InvalidOperationException("The simulator store is not open."), Encoding.ASCII.GetBytes(TestCards.AccountOf(pan))))[..32];

    /// <summary>
    /// Records a decision (the latest one per trade token wins) with what the network keeps of it, in one
    /// transaction: for an approval what it took and from which card, and the dispute planned on it.
    /// </summary>
    public Task RecordDecisionAsync(string tradeToken, AuthorizationOutcome outcome, long decidedAt, IssuedCredential? credential, MitAttempt? attempt,
        ApprovedPayment? approved, SimulatedDispute? plannedDispute, CancellationToken cancellationToken) =>
        database.WriteAsync(async write =>
        {
            await write.ExecuteAsync("""
                INSERT INTO acquirer_simulator_decisions (trade_token, decision, code, message, reference, decided_at, network_transaction_id, advice_category, merchant_advice_code,
                    merchant_no, card_key, card_brand, amount_minor, currency)
                VALUES (@tradeToken, @Decision, @Code, @Message, @Reference, @decidedAt, @NetworkTransactionId, @category, @mac,
                    @merchantNo, @cardKey, @cardBrand, @amountMinor, @currency)
                ON CONFLICT (trade_token) DO UPDATE SET decision = excluded.decision, code = excluded.code, message = excluded.message,
                    reference = excluded.reference, decided_at = excluded.decided_at, network_transaction_id = excluded.network_transaction_id,
                    advice_category = excluded.advice_category, merchant_advice_code = excluded.merchant_advice_code,
                    merchant_no = excluded.merchant_no, card_key = excluded.card_key, card_brand = excluded.card_brand,
                    amount_minor = excluded.amount_minor, currency = excluded.currency;
                """, new
            {
                tradeToken, Decision = outcome.Decision.ToString(), outcome.Code, outcome.Message, outcome.Reference, decidedAt, outcome.NetworkTransactionId,
                category = outcome.Advice?.Category, mac = outcome.Advice?.MerchantAdviceCode,
                merchantNo = approved?.MerchantNo, cardKey = approved?.CardKey, cardBrand = approved?.CardBrand, amountMinor = approved?.AmountMinor, currency = approved?.Currency,
            }, cancellationToken);
            if (plannedDispute is not null)
            {
                await SimulatorDisputeStore.InsertAsync(write, plannedDispute, cancellationToken);
            }

            if (credential is not null)
            {
                await write.ExecuteAsync("""
                    INSERT INTO acquirer_simulator_credentials (network_transaction_id, merchant_no, card_key, stored, created_at)
                    VALUES (@NetworkTransactionId, @MerchantNo, @CardKey, @Stored, @decidedAt);
                    """, new { credential.NetworkTransactionId, credential.MerchantNo, credential.CardKey, credential.Stored, decidedAt }, cancellationToken);
            }

            if (attempt is not null)
            {
                await write.ExecuteAsync("""
                    INSERT INTO acquirer_simulator_mits (merchant_no, card_key, trade_token, declined, advice_category, merchant_advice_code, reattempt, violation, decided_at)
                    VALUES (@MerchantNo, @CardKey, @tradeToken, @Declined, @AdviceCategory, @MerchantAdviceCode, @Reattempt, @Violation, @decidedAt);
                    """, new { attempt.MerchantNo, attempt.CardKey, tradeToken, attempt.Declined, attempt.AdviceCategory, attempt.MerchantAdviceCode, attempt.Reattempt, attempt.Violation, decidedAt }, cancellationToken);
            }

            return true;
        }, cancellationToken);

    public async Task<AuthorizationOutcome?> FindDecisionAsync(string tradeToken, CancellationToken cancellationToken) =>
        (await database.QueryFirstOrDefaultAsync<DecisionRow>(
            "SELECT decision, code, message, reference, network_transaction_id, advice_category, merchant_advice_code FROM acquirer_simulator_decisions WHERE trade_token = @tradeToken;",
            new { tradeToken }, cancellationToken))?.ToOutcome();

    /// <summary>
    /// What the network knows of a card before it decides a merchant-initiated payment on it, in one read (every
    /// MIT pays for it): the merchant's latest attempt on the card, the credential the payment names, when the
    /// customer last stored the card with the merchant, the latest fraud case raised on it, and how many planned
    /// cases on it are due to be raised.
    /// </summary>
    public async Task<MitStanding> MitStandingAsync(string merchantNo, string cardKey, string? initialTransactionId, long now, CancellationToken cancellationToken) =>
        (await database.QueryFirstOrDefaultAsync<MitStanding>("""
            SELECT c.merchant_no AS credential_merchant_no, c.card_key AS credential_card_key, c.stored AS credential_stored,
                m.declined AS latest_declined, m.advice_category AS latest_advice_category, m.merchant_advice_code AS latest_merchant_advice_code,
                m.reattempt AS latest_reattempt, m.violation AS latest_violation, m.decided_at AS latest_decided_at,
                (SELECT MAX(created_at) FROM acquirer_simulator_credentials
                 WHERE merchant_no = @merchantNo AND card_key = @cardKey AND stored = 1) AS last_stored_at,
                (SELECT MAX(raise_at) FROM acquirer_simulator_disputes
                 WHERE merchant_no = @merchantNo AND card_key = @cardKey AND reason_category = 'FRAUD' AND amount_minor IS NOT NULL AND raise_at <= @now) AS last_fraud_raised_at,
                (SELECT COUNT(*) FROM acquirer_simulator_disputes
                 WHERE merchant_no = @merchantNo AND card_key = @cardKey AND amount_minor IS NULL AND not_raised = 0 AND raise_at <= @now) AS disputes_due
            FROM (SELECT 1 AS one) AS always
            LEFT JOIN acquirer_simulator_credentials c ON c.network_transaction_id = @initialTransactionId
            LEFT JOIN (SELECT declined, advice_category, merchant_advice_code, reattempt, violation, decided_at FROM acquirer_simulator_mits
                       WHERE merchant_no = @merchantNo AND card_key = @cardKey ORDER BY id DESC LIMIT 1) AS m ON 1 = 1;
            """, new { merchantNo, cardKey, initialTransactionId, now }, cancellationToken))!;

    /// <summary>The merchant's latest merchant-initiated attempts on the card, newest first (at most <see cref="HistoryRows"/>).</summary>
    public Task<IReadOnlyList<MitAttempt>> RecentMitsAsync(string merchantNo, string cardKey, CancellationToken cancellationToken) =>
        database.QueryAsync<MitAttempt>("""
            SELECT merchant_no, card_key, declined, advice_category, merchant_advice_code, reattempt, violation, decided_at
            FROM acquirer_simulator_mits WHERE merchant_no = @merchantNo AND card_key = @cardKey ORDER BY id DESC LIMIT @limit;
            """, new { merchantNo, cardKey, limit = HistoryRows }, cancellationToken);

    /// <summary>The violations of network rules a merchant committed (retries the networks forbid or fine), by kind.</summary>
    public Task<IReadOnlyList<ViolationCount>> ViolationsAsync(string merchantNo, CancellationToken cancellationToken) =>
        database.QueryAsync<ViolationCount>(
            "SELECT violation, COUNT(*) AS count FROM acquirer_simulator_mits WHERE merchant_no = @merchantNo AND violation IS NOT NULL GROUP BY violation ORDER BY violation;",
            new { merchantNo }, cancellationToken);

    /// <summary>Remembers when an account-updater card was first seen (the first sighting wins) and returns that sighting.</summary>
    public Task<SeenCard> SeeCardAsync(string cardKey, PlainCard card, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async write =>
        {
            await write.ExecuteAsync("""
                INSERT INTO acquirer_simulator_cards (card_key, first_seen_at, expiry_month, expiry_year) VALUES (@cardKey, @now, @ExpiryMonth, @ExpiryYear)
                ON CONFLICT (card_key) DO NOTHING;
                """, new { cardKey, now, card.ExpiryMonth, card.ExpiryYear }, cancellationToken);
            return (await write.QueryFirstOrDefaultAsync<SeenCard>(SelectSeenCard, new { cardKey }, cancellationToken))!;
        }, cancellationToken);

    public Task<SeenCard?> FindSeenCardAsync(string cardKey, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SeenCard>(SelectSeenCard, new { cardKey }, cancellationToken);

    public Task CreateChallengeAsync(SimulatedChallenge challenge, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            INSERT INTO acquirer_simulator_challenges (challenge_id, trade_token, amount_minor, currency, subject, masked_card, expires_at)
            VALUES (@ChallengeId, @TradeToken, @AmountMinor, @Currency, @Subject, @MaskedCard, @ExpiresAt);
            """, challenge, cancellationToken);

    public Task<SimulatedChallenge?> FindChallengeAsync(string challengeId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SimulatedChallenge>(
            "SELECT challenge_id, trade_token, amount_minor, currency, subject, masked_card, expires_at, used_at FROM acquirer_simulator_challenges WHERE challenge_id = @challengeId;",
            new { challengeId }, cancellationToken);

    /// <summary>Marks a challenge answered; true only for the one caller that found it open.</summary>
    public async Task<bool> ClaimChallengeAsync(string challengeId, long now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE acquirer_simulator_challenges SET used_at = @now WHERE challenge_id = @challengeId AND used_at IS NULL AND expires_at > @now;",
            new { challengeId, now }, cancellationToken) == 1;

    /// <summary>Records the simulator's refund decision: its final outcome, when it settles, and what it gives back of which payment.</summary>
    public Task RecordRefundAsync(AcquirerRefundRequest refund, RefundDecision final, string? message, long decidedAt, long settlesAt, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            INSERT INTO acquirer_simulator_decisions (trade_token, decision, message, decided_at, settles_at, refund_of, amount_minor, currency)
            VALUES (@RefundTradeNo, @decision, @message, @decidedAt, @settlesAt, @TradeToken, @AmountMinor, @Currency);
            """, new { refund.RefundTradeNo, decision = final.ToString(), message, decidedAt, settlesAt, refund.TradeToken, refund.AmountMinor, refund.Currency }, cancellationToken);

    public Task<SimulatedRefund?> FindRefundAsync(string refundTradeNo, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<SimulatedRefund>(
            "SELECT decision AS final, message, settles_at FROM acquirer_simulator_decisions WHERE trade_token = @refundTradeNo;", new { refundTradeNo }, cancellationToken);

    private sealed record DecisionRow
    {
        public required AuthorizationDecision Decision { get; init; }
        public string? Code { get; init; }
        public string? Message { get; init; }
        public string? Reference { get; init; }
        public string? NetworkTransactionId { get; init; }
        public int? AdviceCategory { get; init; }
        public string? MerchantAdviceCode { get; init; }

        public AuthorizationOutcome ToOutcome() => new(Decision, Code, Message, Reference, NetworkTransactionId,
            AdviceCategory is null && MerchantAdviceCode is null ? null : new DeclineAdvice(AdviceCategory, MerchantAdviceCode));
    }
}

/// <summary>A network transaction id the simulator issued; <see cref="Stored"/>: the transaction stored the card with the customer's consent.</summary>
internal sealed record IssuedCredential
{
    public required string NetworkTransactionId { get; init; }
    public required string MerchantNo { get; init; }
    public required string CardKey { get; init; }
    public required bool Stored { get; init; }
}

/// <summary>What <see cref="SimulatorStore.MitStandingAsync"/> reads: the credential named (if issued), the latest attempt (if any), and the card's standing.</summary>
internal sealed record MitStanding
{
    public string? CredentialMerchantNo { get; init; }
    public string? CredentialCardKey { get; init; }
    public bool? CredentialStored { get; init; }
    public bool? LatestDeclined { get; init; }
    public int? LatestAdviceCategory { get; init; }
    public string? LatestMerchantAdviceCode { get; init; }
    public bool? LatestReattempt { get; init; }
    public string? LatestViolation { get; init; }
    public long? LatestDecidedAt { get; init; }
    public long? LastStoredAt { get; init; }
    public long? LastFraudRaisedAt { get; init; }
    public long DisputesDue { get; init; }

    /// <summary>The latest attempt as history (empty when the merchant never charged the card without the customer).</summary>
    public IReadOnlyList<MitAttempt> Latest(string merchantNo, string cardKey) => LatestDecidedAt is { } decidedAt
        ? [new MitAttempt
        {
            MerchantNo = merchantNo, CardKey = cardKey, Declined = LatestDeclined == true, AdviceCategory = LatestAdviceCategory,
            MerchantAdviceCode = LatestMerchantAdviceCode, Reattempt = LatestReattempt == true, Violation = LatestViolation, DecidedAt = decidedAt,
        }]
        : [];

    /// <summary>The named credential stored this card, with the customer's consent, with this merchant.</summary>
    public bool CredentialStoredCard(string merchantNo, string cardKey) => CredentialStored == true && CredentialMerchantNo == merchantNo && CredentialCardKey == cardKey;

    /// <summary>A fraud case on the card was raised after the customer last stored it: no merchant-initiated payment until they store it again.</summary>
    public bool FraudStopsMits => LastFraudRaisedAt is { } raisedAt && raisedAt > (LastStoredAt ?? 0);
}

/// <summary>One merchant-initiated attempt on a card. <see cref="Reattempt"/>: it followed a declined attempt; <see cref="Violation"/>: a rule it broke.</summary>
internal sealed record MitAttempt
{
    public required string MerchantNo { get; init; }
    public required string CardKey { get; init; }
    public required bool Declined { get; init; }
    public int? AdviceCategory { get; init; }
    public string? MerchantAdviceCode { get; init; }
    public required bool Reattempt { get; init; }
    public string? Violation { get; init; }
    public required long DecidedAt { get; init; }
}

internal sealed record ViolationCount
{
    public required string Violation { get; init; }
    public required long Count { get; init; }
}

/// <summary>An account-updater card as first seen: when, and with which expiry.</summary>
internal sealed record SeenCard
{
    public required long FirstSeenAt { get; init; }
    public required int ExpiryMonth { get; init; }
    public required int ExpiryYear { get; init; }
}

internal sealed record SimulatedChallenge
{
    public required string ChallengeId { get; init; }
    public required string TradeToken { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public required string Subject { get; init; }
    public required string MaskedCard { get; init; }
    public required long ExpiresAt { get; init; }
    public long? UsedAt { get; init; }
}

/// <summary>A refund as the simulator decided it: the final outcome, reported from <see cref="SettlesAt"/> on.</summary>
internal sealed record SimulatedRefund
{
    public required RefundDecision Final { get; init; }
    public string? Message { get; init; }
    public required long SettlesAt { get; init; }
}
