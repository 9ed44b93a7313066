using System.Security.Cryptography;
using TokenPay.Protocol;

namespace TokenPay.Acquiring.Simulator;

/// <summary>
/// The sandbox acquirer and card network (docs/stored-credentials.md): outcomes by <c>subject</c> (PayerMax's
/// habit) and by test card, plus the network rules on stored credentials: merchant-initiated payments must
/// link to the customer-initiated transaction that stored the card, declines carry advice, reattempts per
/// card and merchant are limited as the card's network limits them, and issuers reissue or close test
/// cards; approvals on the dispute test cards and subjects are disputed later, and a fraud chargeback stops the
/// merchant's merchant-initiated payments on the card (docs/disputes.md). Like a real acquirer it remembers each
/// decision durably before answering, so a gateway that crashed can ask for it.
/// </summary>
internal sealed class AcquirerSimulator(SimulatorStore store, DisputeNetwork disputes, TimeProvider clock) : IAcquirer
{
    public const string ViolationRetryForbidden = "RETRY_AFTER_DO_NOT_RETRY";

    /// <summary>A merchant-initiated payment on a card after a fraud chargeback on it, before the customer stored it again.</summary>
    public const string ViolationMitAfterFraudChargeback = "MIT_AFTER_FRAUD_CHARGEBACK";

    /// <summary>How long the sandbox takes to settle a refund it accepted.</summary>
    public static readonly TimeSpan RefundSettleAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long a refund with comments REFUND_PENDING stays pending.</summary>
    public static readonly TimeSpan RefundPendingFor = TimeSpan.FromHours(24);

    public async ValueTask<AuthorizationOutcome> AuthorizeAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (BySubject(request) is { } bySubject)
        {
            await store.RecordDecisionAsync(request.TradeToken, bySubject, now.ToUnixTimeMilliseconds(), null, null, null, null, cancellationToken);
            return bySubject;
        }

        if (request.Subject == "3DS" && !request.Authenticated)
        {
            return await ChallengeAsync(request, cancellationToken);
        }

        var card = request.Card;
        if (!Cards.IsValidPan(card.Pan))
        {
            return await RecordAsync(request, AuthorizationOutcome.Declined(ResultCodes.CardInvalid, "The card number is not valid.", new(NetworkAdvice.DataQuality, null)), null, null, cancellationToken);
        }

        var cardKey = store.CardKey(card.Pan);
        if (request.MerchantInitiated)
        {
            return await AuthorizeMerchantInitiatedAsync(request, cardKey, now, cancellationToken);
        }

        if (await DeclineForCardAsync(request, cardKey, now, cancellationToken) is { } declined)
        {
            return await RecordAsync(request, declined, cardKey, null, cancellationToken);
        }

        if (TestCards.Family(card.Pan) == TestCards.Challenge && !request.Authenticated)
        {
            return await ChallengeAsync(request, cancellationToken);
        }

        // Every approved customer-initiated transaction gets a network id; one that stores the card is the one later MITs link to.
        var networkTransactionId = RandomNumberGenerator.GetString("0123456789", 15);
        var approved = AuthorizationOutcome.Approved(Reference(), networkTransactionId);
        var issued = new IssuedCredential { NetworkTransactionId = networkTransactionId, MerchantNo = request.MerchantNo, CardKey = cardKey, Stored = request.Credential.Use == CredentialUse.First };
        return await RecordAsync(request, approved, cardKey, issued, cancellationToken);
    }

    private async Task<AuthorizationOutcome> AuthorizeMerchantInitiatedAsync(AuthorizationRequest request, string cardKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.ToUnixTimeMilliseconds();
        var standing = await store.MitStandingAsync(request.MerchantNo, cardKey, request.Credential.InitialTransactionId, at, cancellationToken);
        if (standing.DisputesDue > 0)
        {
            // Cases planned on this card fall due first: a fraud case among them stops this payment.
            await disputes.RaiseDueAsync(request.MerchantNo, cardKey, now, cancellationToken);
            standing = await store.MitStandingAsync(request.MerchantNo, cardKey, request.Credential.InitialTransactionId, at, cancellationToken);
        }

        // The usual MIT follows an approval: then the latest attempt is all the history that matters.
        var history = standing.Latest(request.MerchantNo, cardKey);
        if (history is [{ Declined: true }])
        {
            history = await store.RecentMitsAsync(request.MerchantNo, cardKey, cancellationToken);
        }

        // A reattempt follows a decline recent enough to count under some network's limit.
        var previous = history.Count > 0 ? history[0] : null;
        var reattempt = previous is { Declined: true } && previous.DecidedAt > (now - NetworkRetryLimits.LongestWindow).ToUnixTimeMilliseconds();
        string? violation = null;

        var outcome = Unlinked(request, cardKey, standing);
        if (outcome is null && standing.FraudStopsMits)
        {
            violation = ViolationMitAfterFraudChargeback;
            outcome = AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected,
                "The cardholder disputed a payment on this card as fraud: the network allows no merchant-initiated payment on it until the customer stores the card again in a payment of their own. The network counts this one as a violation.",
                new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.StopRecurring));
        }
        else if (outcome is null && previous is { Declined: true } && NetworkAdvice.ForbidsRetry(previous.AdviceCategory, previous.MerchantAdviceCode)
            && previous.DecidedAt >= (standing.LastStoredAt ?? 0))
        {
            // Forbidden until the customer stores the card again.
            violation = ViolationRetryForbidden;
            outcome = AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected,
                $"Retry refused: the last merchant-initiated payment on this card was declined with do-not-retry advice (category {previous.AdviceCategory}, merchant advice code {previous.MerchantAdviceCode ?? "none"}). The network counts this retry as a violation.",
                new(previous.AdviceCategory, previous.MerchantAdviceCode));
        }
        else if (outcome is null && reattempt && ExceededLimit(request.Card.Brand, history, now) is { } limit)
        {
            violation = limit.Violation;
            outcome = AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected,
                $"Retry refused: this merchant already reattempted declined merchant-initiated payments on this card {limit.Reattempts} times in {limit.WindowInWords()}, {limit.Network}'s limit. The network counts this retry as a violation.",
                new(NetworkAdvice.IssuerCannotApproveNow, null));
        }

        outcome ??= await DeclineForCardAsync(request, cardKey, now, cancellationToken);
        if (outcome is null && TestCards.MitDeclines.TryGetValue(TestCards.Family(request.Card.Pan), out var decline))
        {
            // The issuer approves once the advised wait, counted from the first decline of this run, has passed.
            var runStart = history.TakeWhile(a => a.Declined).Select(a => a.DecidedAt).DefaultIfEmpty(now.ToUnixTimeMilliseconds()).Min();
            outcome = decline.ApprovesAfter is { } wait && now >= DateTimeOffset.FromUnixTimeMilliseconds(runStart) + wait
                ? null
                : AuthorizationOutcome.Declined(decline.Code, decline.Message, decline.Advice);
        }

        outcome ??= AuthorizationOutcome.Approved(Reference());
        var attempt = new MitAttempt
        {
            MerchantNo = request.MerchantNo,
            CardKey = cardKey,
            Declined = outcome.Decision == AuthorizationDecision.Declined,
            AdviceCategory = outcome.Advice?.Category,
            MerchantAdviceCode = outcome.Advice?.MerchantAdviceCode,
            Reattempt = reattempt,
            Violation = violation,
            DecidedAt = now.ToUnixTimeMilliseconds(),
        };
        var (approved, planned) = DisputeNetwork.Approval(request, cardKey, outcome, now);
        await store.RecordDecisionAsync(request.TradeToken, outcome, attempt.DecidedAt, null, attempt, approved, planned, cancellationToken);
        return outcome;
    }

    /// <summary>The first limit of the card's network (<see cref="NetworkRetryLimits"/>) that one more reattempt now would exceed; null when none.</summary>
    private static RetryLimit? ExceededLimit(string brand, IReadOnlyList<MitAttempt> history, DateTimeOffset now)
    {
        var reattempts = history.Where(a => a.Reattempt).Select(a => DateTimeOffset.FromUnixTimeMilliseconds(a.DecidedAt)).ToList();
        return NetworkRetryLimits.Of(brand).FirstOrDefault(limit => limit.AllowsAt(reattempts, now) > now);
    }

    /// <summary>A merchant-initiated payment must name the consented storing transaction of this card with this merchant.</summary>
    private static AuthorizationOutcome? Unlinked(AuthorizationRequest request, string cardKey, MitStanding standing)
    {
        var initial = request.Credential.InitialTransactionId;
        if (request.Credential is { Use: CredentialUse.Subsequent, InitialTransactionId: null, Legacy: true })
        {
            return null;
        }

        if (request.Credential.Use != CredentialUse.Subsequent || initial is null)
        {
            return AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected,
                "A merchant-initiated payment must carry the network transaction id of the customer-initiated transaction that stored the card; this one has none.",
                new(NetworkAdvice.DataQuality, null));
        }

        return standing.CredentialStoredCard(request.MerchantNo, cardKey)
            ? null
            : AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected,
                "The initial transaction this merchant-initiated payment names is not a customer-initiated transaction that stored this card with this merchant.",
                new(NetworkAdvice.DataQuality, null));
    }

    /// <summary>The issuer's answer for the card itself: expired, reissued or closed, or a test card that always declines.</summary>
    private async Task<AuthorizationOutcome?> DeclineForCardAsync(AuthorizationRequest request, string cardKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var card = request.Card;
        if (now >= card.ValidUntil)
        {
            return AuthorizationOutcome.Declined(ResultCodes.CardExpireDateInvalid, "The card has expired.", new(NetworkAdvice.DataQuality, NetworkAdvice.NewAccountInformation));
        }

        if (TestCards.IsAccountUpdaterCard(card.Pan))
        {
            var seen = await store.SeeCardAsync(cardKey, card, now.ToUnixTimeMilliseconds(), cancellationToken);
            if (IssuerChange(card, seen, now) is { } change)
            {
                return change.Change == CardChange.Closed
                    ? AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected, "The issuer closed this card account.", new(NetworkAdvice.IssuerNeverApproves, NetworkAdvice.StopRecurring))
                    : AuthorizationOutcome.Declined(ResultCodes.CardExpireDateInvalid, "The issuer reissued this card: new account information is available.", new(NetworkAdvice.DataQuality, NetworkAdvice.NewAccountInformation));
            }
        }

        return TestCards.Family(card.Pan) switch
        {
            TestCards.InsufficientFunds => AuthorizationOutcome.Declined(ResultCodes.BalanceInsufficient, "Insufficient funds.", new(NetworkAdvice.IssuerCannotApproveNow, null)),
            TestCards.IssuerRejects => AuthorizationOutcome.Declined(ResultCodes.IssuerPaymentRejected, "The issuer rejected the payment.", new(NetworkAdvice.IssuerCannotApproveNow, null)),
            TestCards.ExpiryInvalid => AuthorizationOutcome.Declined(ResultCodes.CardExpireDateInvalid, "The issuer reports an invalid expiry date.", new(NetworkAdvice.DataQuality, null)),
            TestCards.CvvInvalid => AuthorizationOutcome.Declined(ResultCodes.CvvInvalid, "The CVV is incorrect.", new(NetworkAdvice.DataQuality, null)),
            _ => null,
        };
    }

    /// <summary>What the issuer changed about an account-updater card once its change time passed; null while the presented card is current.</summary>
    private static CardUpdate? IssuerChange(PlainCard card, SeenCard seen, DateTimeOffset now)
    {
        if (now < DateTimeOffset.FromUnixTimeMilliseconds(seen.FirstSeenAt) + TestCards.IssuerChangeAfter)
        {
            return null;
        }

        var newYear = seen.ExpiryYear + TestCards.ReissueYears;
        return TestCards.Family(card.Pan) switch
        {
            TestCards.ClosedByIssuer => new CardUpdate("", CardChange.Closed, null),
            TestCards.ReplacedWithNewNumber =>
                new CardUpdate("", CardChange.NewNumber, card with { Pan = TestCards.ReplacementFor(card.Pan), ExpiryMonth = seen.ExpiryMonth, ExpiryYear = newYear, Cvv = null }),
            TestCards.ReissuedWithNewExpiry when (card.ExpiryMonth, card.ExpiryYear) != (seen.ExpiryMonth, newYear) =>
                new CardUpdate("", CardChange.NewExpiry, card with { ExpiryMonth = seen.ExpiryMonth, ExpiryYear = newYear, Cvv = null }),
            _ => null,
        };
    }

    public async ValueTask<IReadOnlyList<CardUpdate>> FindCardUpdatesAsync(IReadOnlyList<CardOnFile> cards, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var updates = new List<CardUpdate>();
        foreach (var onFile in cards.Where(c => TestCards.IsAccountUpdaterCard(c.Card.Pan)))
        {
            if (await store.FindSeenCardAsync(store.CardKey(onFile.Card.Pan), cancellationToken) is { } seen && IssuerChange(onFile.Card, seen, now) is { } change)
            {
                updates.Add(change with { Reference = onFile.Reference });
            }
        }

        return updates;
    }

    private static AuthorizationOutcome? BySubject(AuthorizationRequest request) => request.Subject switch
    {
        "FAILED" => AuthorizationOutcome.Declined(ResultCodes.PaymentFailed, "Declined by the sandbox (subject FAILED)."),
        "PENDING" => AuthorizationOutcome.StillPending,
        "3DS" when request.MerchantInitiated => AuthorizationOutcome.Declined(ResultCodes.AuthenticateFailed, "Authentication required, but a merchant-initiated payment cannot be challenged."),
        _ => null,
    };

    private async Task<AuthorizationOutcome> RecordAsync(AuthorizationRequest request, AuthorizationOutcome outcome, string? cardKey, IssuedCredential? issued, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (approved, planned) = DisputeNetwork.Approval(request, cardKey, outcome, now);
        await store.RecordDecisionAsync(request.TradeToken, outcome, now.ToUnixTimeMilliseconds(), issued, null, approved, planned, cancellationToken);
        return outcome;
    }

    // A challenge moves no money: it is remembered for the challenge page, not as a decision.
    private async Task<AuthorizationOutcome> ChallengeAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        var challengeId = RandomNumberGenerator.GetHexString(32, lowercase: true);
        await store.CreateChallengeAsync(new SimulatedChallenge
        {
            ChallengeId = challengeId,
            TradeToken = request.TradeToken,
            AmountMinor = request.AmountMinor,
            Currency = request.Currency,
            Subject = request.Subject,
            MaskedCard = Cards.Mask(request.Card.Pan),
            ExpiresAt = request.ExpiresAt.ToUnixTimeMilliseconds(),
        }, cancellationToken);
        return AuthorizationOutcome.Challenge(challengeId);
    }

    private static string Reference() => "SIM" + RandomNumberGenerator.GetHexString(16);

    public async ValueTask<AuthorizationOutcome?> InquireAsync(string tradeToken, CancellationToken cancellationToken) =>
        await store.FindDecisionAsync(tradeToken, cancellationToken);

    /// <summary>
    /// Refund outcomes by <c>comments</c> (docs/protocol.md, "Sandbox"): REFUND_REJECTED fails at once,
    /// REFUND_FAILED fails after <see cref="RefundSettleAfter"/>, REFUND_PENDING succeeds after
    /// <see cref="RefundPendingFor"/>, anything else succeeds after <see cref="RefundSettleAfter"/>.
    /// </summary>
    public async ValueTask<RefundOutcome> RefundAsync(AcquirerRefundRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (final, message, settlesAt) = request.Comments?.Trim().ToUpperInvariant() switch
        {
            "REFUND_REJECTED" => (RefundDecision.Failed, "Refused by the sandbox acquirer (comments REFUND_REJECTED).", now),
            "REFUND_FAILED" => (RefundDecision.Failed, "Failed at the sandbox acquirer (comments REFUND_FAILED).", now + RefundSettleAfter),
            "REFUND_PENDING" => (RefundDecision.Refunded, (string?)null, now + RefundPendingFor),
            _ => (RefundDecision.Refunded, null, now + RefundSettleAfter),
        };
        await store.RecordRefundAsync(request, final, message, now.ToUnixTimeMilliseconds(), settlesAt.ToUnixTimeMilliseconds(), cancellationToken);
        return Standing(final, message, settlesAt, now);
    }

    public async ValueTask<RefundOutcome?> InquireRefundAsync(string refundTradeNo, CancellationToken cancellationToken) =>
        await store.FindRefundAsync(refundTradeNo, cancellationToken) is { } decided
            ? Standing(decided.Final, decided.Message, DateTimeOffset.FromUnixTimeMilliseconds(decided.SettlesAt), clock.GetUtcNow())
            : null;

    private static RefundOutcome Standing(RefundDecision final, string? message, DateTimeOffset settlesAt, DateTimeOffset now) =>
        settlesAt > now ? new RefundOutcome(RefundDecision.Pending, CheckAgainAt: settlesAt) : new RefundOutcome(final, message);

    public async ValueTask<DisputeFeed> FindDisputeReportsAsync(int max, CancellationToken cancellationToken) => await disputes.FindReportsAsync(max, cancellationToken);

    public async ValueTask AcknowledgeDisputeReportsAsync(IReadOnlyList<string> reportIds, CancellationToken cancellationToken) => await disputes.AcknowledgeAsync(reportIds, cancellationToken);

    public async ValueTask<bool> SubmitDisputeEvidenceAsync(DisputeEvidence evidence, CancellationToken cancellationToken) => await disputes.SubmitEvidenceAsync(evidence, cancellationToken);
}
