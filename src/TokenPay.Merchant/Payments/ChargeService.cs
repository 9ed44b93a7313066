using Microsoft.Extensions.Options;
using TokenPay.Client;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Payments;

/// <summary>
/// The outcome of a charge request as the caller sees it. <see cref="Replayed"/>: the chargeId was used before
/// with the same user, amount and currency, and this is the recorded charge (nothing was sent again).
/// </summary>
public sealed record ChargeResult(string ChargeId, string OutTradeNo, string Status, string? ResultCode, string? ResultMsg, decimal Amount, string Currency, bool Replayed = false, string? PaymentTokenId = null)
{
    /// <summary>Which attempt this is the outcome of: 1, or the retry that followed declines.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>For a declined charge: when it is retried next (null: not retried), and the plan in a sentence.</summary>
    public DateTimeOffset? NextRetryAt { get; init; }

    public string? RetryNote { get; init; }

    /// <summary>The result code of a request refused because its chargeId belongs to a charge with other parameters.</summary>
    public const string ChargeIdReused = "CHARGE_ID_REUSED";

    public bool Succeeded => Status == PaymentStatuses.Success;

    /// <summary>True when the chargeId was already used for a different charge and this request changed nothing.</summary>
    public bool IsChargeIdConflict => ResultCode == ChargeIdReused;

    /// <summary>What happened, in a sentence an operator reads.</summary>
    public string Sentence => Status switch
    {
        PaymentStatuses.Success => $"Charged {Amount} {Currency}.",
        PaymentStatuses.Failed => $"The card was declined: {ResultMsg} ({ResultCode}).",
        PaymentStatuses.Closed => $"The charge was closed without payment: {ResultMsg}",
        PaymentStatuses.Refused => $"Not charged: {ResultMsg}",
        _ => "The outcome is not known yet: the charge will be settled with the gateway (asking again with the same chargeId is safe).",
    };
}

/// <summary>One attempt of a charge as an operator sees it, with the network's advice on a decline.</summary>
public sealed record ChargeAttempt(int Attempt, string OutTradeNo, string Status, string? ResultCode, string? ResultMsg, int? AdviceCategory, string? MerchantAdviceCode, DateTimeOffset At);

/// <summary>A charge with all its attempts: its outcome is its latest attempt's.</summary>
public sealed record ChargeHistory(string ChargeId, string UserId, decimal Amount, string Currency, string Status, IReadOnlyList<ChargeAttempt> Attempts, DateTimeOffset? NextRetryAt, string? RetryNote);

/// <summary>
/// A charge request: charge this user's saved card, without the user (unscheduled MIT). <c>PaymentTokenId</c> chooses
/// the card (one of the user's active cards that allows it); without it, the user's newest such card.
/// </summary>
public sealed record ChargeRequest(string UserId, decimal Amount, string Currency, string Reason, string ChargeId, string? PaymentTokenId = null);

/// <summary>Why a request cannot be charged: the field (as the API names it) and what is allowed.</summary>
public sealed record FieldProblem(string Field, string Message);

/// <summary>
/// Unscheduled MIT charges. <c>chargeId</c> makes a charge idempotent: it fixes the order number, the
/// payment is recorded before the request is sent, and a charge whose answer was lost is settled with
/// orderQuery by that number before anything is sent again. Asking twice never charges twice.
/// </summary>
internal sealed class ChargeService(
    PayerMaxClient client, PaymentStore payments, RetryLedger retries, WalletService wallet, IOptions<MerchantOptions> options, TimeProvider clock, ILogger<ChargeService> logger)
{
    /// <summary>What is wrong with a request, or null when it can be charged. Callers check before <see cref="ChargeAsync"/>.</summary>
    public static FieldProblem? Check(ChargeRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.ChargeId) || request.ChargeId.Length > 128) return new("chargeId", "chargeId is required (at most 128 characters); the same chargeId never charges twice.");
        if (string.IsNullOrWhiteSpace(request.UserId) || request.UserId.Length > 64) return new("userId", "userId is required (at most 64 characters).");
        if (string.IsNullOrWhiteSpace(request.Currency)) return new("currency", "currency is required (an ISO 4217 code such as USD).");
        var currency = request.Currency.Trim().ToUpperInvariant();
        if (!Currencies.IsKnown(currency)) return new("currency", $"currency {request.Currency} is not an ISO 4217 code such as USD.");
        if (!Currencies.TryToMinorUnits(request.Amount, currency, out var amountMinor) || amountMinor <= 0)
        {
            return new("amount", $"amount must be positive with at most {Currencies.MinorDigits(currency)} decimals for {currency}.");
        }

        if (request.PaymentTokenId is { } token && (string.IsNullOrWhiteSpace(token) || token.Length > 64)) return new("paymentTokenId", "paymentTokenId, when given, is the id of one of the user's saved cards (at most 64 characters).");
        return request.Reason is { Length: > 256 } ? new("reason", "reason is at most 256 characters.") : null;
    }

    /// <summary>
    /// Whether the chosen card (<see cref="ChargeRequest.PaymentTokenId"/>) may be charged: it must be one of this user's
    /// active cards that allows merchant-initiated charges. Null when it may, or when none was chosen (the newest such card is used).
    /// Callers check after <see cref="Check"/>, before <see cref="ChargeAsync"/>.
    /// </summary>
    public async Task<FieldProblem?> CheckCardAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        // A chargeId asked before answers its record (or names what differs), whatever became of the card since.
        if (request.PaymentTokenId is not { } token || await payments.FindByChargeAsync(request.ChargeId, cancellationToken) is not null)
        {
            return null;
        }

        var card = await wallet.FindAsync(token, cancellationToken);
        if (card is null)
        {
            // Saved through another channel and not seen here yet: the gateway's list of this user's cards is the authority.
            try
            {
                card = (await wallet.SyncAsync(request.UserId, cancellationToken)).FirstOrDefault(c => c.PaymentTokenId == token);
            }
            catch (PayerMaxException)
            {
                return new("paymentTokenId", $"paymentTokenId {token} is not known here yet and the gateway could not be asked about it; nothing was charged. Try again shortly.");
            }
        }

        // The same words whether the card is another user's or does not exist: nothing about other users leaks.
        return card is not null && WalletService.IsChargeable(card) && card.UserId == request.UserId
            ? null
            : new("paymentTokenId", $"paymentTokenId {token} is not an active saved card of {request.UserId} that allows charges without the customer; nothing was charged.");
    }

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        if (Check(request) is { } problem)
        {
            // A caller that skipped Check: a bug, not a customer's mistake.
            throw new ArgumentException(problem.Message, nameof(request));
        }

        var currency = request.Currency.Trim().ToUpperInvariant();
        Currencies.TryToMinorUnits(request.Amount, currency, out var amountMinor);

        var existing = await payments.FindByChargeAsync(request.ChargeId, cancellationToken);
        if (existing is null)
        {
            var (payment, created) = await RecordAsync(request, amountMinor, currency, cancellationToken);
            if (created)
            {
                return await SendAsync(payment, cancellationToken);
            }

            // Another call with this chargeId recorded it first: answered as a repeat.
            existing = payment;
        }

        return await RepeatAsync(existing, request, amountMinor, currency, cancellationToken);
    }

    /// <summary>Records a new charge's first attempt; false when the chargeId was recorded meanwhile (the payment returned is that one).</summary>
    private async Task<(Payment Payment, bool Created)> RecordAsync(ChargeRequest request, long amountMinor, string currency, CancellationToken cancellationToken)
    {
        if (request.PaymentTokenId is { } chosen && await wallet.FindAsync(chosen, cancellationToken) is { } card && card.UserId != request.UserId)
        {
            // A caller that skipped CheckCardAsync (a bug): never another user's card, whoever calls. A removed card of
            // this user is refused by SendAsync, recorded, with nothing sent.
            throw new ArgumentException($"paymentTokenId {chosen} is not a card of {request.UserId}.", nameof(request));
        }

        var created = await payments.TryCreateAsync(new Payment
        {
            OutTradeNo = PaymentOrders.ForCharge(request.ChargeId),
            ChargeId = request.ChargeId,
            Kind = PaymentKinds.Mit,
            UserId = request.UserId,
            AmountMinor = amountMinor,
            Currency = currency,
            Reason = request.Reason,
            PaymentTokenId = await CardToChargeAsync(request, cancellationToken),
            Status = PaymentStatuses.Created,
            CreatedAt = 0,
            UpdatedAt = 0,
        }, cancellationToken);
        return ((await payments.FindByChargeAsync(request.ChargeId, cancellationToken))!, created);
    }

    /// <summary>The answer to a chargeId asked before.</summary>
    private async Task<ChargeResult> RepeatAsync(Payment existing, ChargeRequest request, long amountMinor, string currency, CancellationToken cancellationToken)
    {
        // Like an idempotency key: the same chargeId with other parameters is refused, naming them.
        var differences = Differences(existing, request.UserId, amountMinor, currency, request.PaymentTokenId);
        if (differences.Count > 0)
        {
            return new ChargeResult(request.ChargeId, existing.OutTradeNo, PaymentStatuses.Refused, ChargeResult.ChargeIdReused,
                $"chargeId {request.ChargeId} was already used for a charge with another {string.Join(", ", differences.Select(d => d.Field))} ({string.Join("; ", differences.Select(d => d.Detail))}); nothing was charged. Use a new chargeId for a new charge.",
                request.Amount, currency);
        }

        // The latest attempt's answer stands; an unknown one is settled first. A first attempt refused before
        // anything was sent (no saved card, gateway unreachable) fixed nothing: the charge proceeds now. (A smart
        // retry's attempt is the retrier's to plan, not the caller's.)
        var latest = (await retries.AttemptsAsync(request.ChargeId, cancellationToken))[^1];
        if (latest is { IsRefusedUnsent: true, Attempt: 1 })
        {
            await payments.ReopenUnsentAsync(latest.OutTradeNo, await CardToChargeAsync(request, cancellationToken), cancellationToken);
            latest = (await payments.FindAsync(latest.OutTradeNo, cancellationToken))!;
            if (latest.Status == PaymentStatuses.Created)
            {
                return await SendAsync(latest, cancellationToken);
            }
        }

        var recorded = latest.IsFinal ? await ResultAsync(latest, cancellationToken) : await SettleAsync(latest, IfAbsent.Resend, cancellationToken);
        return recorded with { Replayed = true };
    }

    // The card asked for, else the user's most recent card that allows merchant-initiated charges (null: none).
    private async Task<string?> CardToChargeAsync(ChargeRequest request, CancellationToken cancellationToken) =>
        request.PaymentTokenId ?? (await wallet.ChargeableCardAsync(request.UserId, cancellationToken))?.PaymentTokenId;

    /// <summary>A charge with its attempts and retry plan; null when the chargeId is unknown.</summary>
    public async Task<ChargeHistory?> HistoryAsync(string chargeId, CancellationToken cancellationToken)
    {
        var attempts = await retries.AttemptsAsync(chargeId, cancellationToken);
        if (attempts.Count == 0)
        {
            return null;
        }

        var first = attempts[0];
        return new ChargeHistory(chargeId, first.UserId, Currencies.FromMinorUnits(first.AmountMinor, first.Currency), first.Currency, attempts[^1].Status,
            [.. attempts.Select(a => new ChargeAttempt(a.Attempt, a.OutTradeNo, a.Status, a.ResultCode, a.ResultMsg, a.AdviceCategory, a.MerchantAdviceCode, DateTimeOffset.FromUnixTimeMilliseconds(a.UpdatedAt)))],
            first.RetryAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null, first.RetryNote);
    }

    private static List<(string Field, string Detail)> Differences(Payment existing, string userId, long amountMinor, string currency, string? paymentTokenId)
    {
        var differences = new List<(string Field, string Detail)>();
        if (paymentTokenId is not null && existing.PaymentTokenId is { } charged && charged != paymentTokenId)
        {
            differences.Add(("paymentTokenId", $"paymentTokenId was {charged}, now {paymentTokenId}"));
        }

        if (existing.UserId != userId)
        {
            differences.Add(("userId", $"userId was {existing.UserId}, now {userId}"));
        }

        if (existing.Currency != currency)
        {
            differences.Add(("currency", $"currency was {existing.Currency}, now {currency}"));
        }

        var before = Currencies.FromMinorUnits(existing.AmountMinor, existing.Currency);
        var now = Currencies.FromMinorUnits(amountMinor, currency);
        if (before != now)
        {
            differences.Add(("amount", $"amount was {before}, now {now}"));
        }

        return differences;
    }

    /// <summary>
    /// Finds out what happened to an open payment by orderQuery. An order the gateway does not know is acted on as
    /// <paramref name="ifAbsent"/> says: a charge sent again (same order number, so never charged twice), left open
    /// (it may still arrive), or closed as never sent: only the reconciler closes, and only once the order could no
    /// longer arrive.
    /// </summary>
    public async Task<ChargeResult> SettleAsync(Payment payment, IfAbsent ifAbsent, CancellationToken cancellationToken)
    {
        PayerMaxResult<OrderView> query;
        try
        {
            query = await client.OrderQueryAsync(new OrderQueryRequest { OutTradeNo = payment.OutTradeNo }, cancellationToken);
        }
        catch (PayerMaxException)
        {
            return await ResultAsync(payment, cancellationToken);
        }

        if (query.IsSuccess && query.Data is { } view)
        {
            await payments.ApplyAsync(PaymentOrders.From(view), cancellationToken);
        }
        else if (query.Code == ResultCodes.OrderNotExist && payment.Status == PaymentStatuses.Created)
        {
            if (ifAbsent == IfAbsent.Resend && payment.Kind == PaymentKinds.Mit)
            {
                // Not there (yet): sending the same order number again is safe, whether or not the first arrives.
                return await SendAsync(payment, cancellationToken);
            }

            if (ifAbsent == IfAbsent.Close && !MayStillArrive(payment))
            {
                await payments.RefuseAsync(payment.OutTradeNo, NotSentCodes.NotSent, "The payment request never reached the gateway.", cancellationToken);
            }
        }

        return await ResultAsync((await payments.FindAsync(payment.OutTradeNo, cancellationToken))!, cancellationToken);
    }

    // A request the gateway never saw can still arrive until its requestTime falls out of the gateway's window
    // (2 minutes at PayerMax and here), plus a margin for clock drift; one never sent cannot arrive at all.
    private bool MayStillArrive(Payment payment) =>
        payment.Sends > 0 && clock.GetUtcNow().ToUnixTimeMilliseconds() - payment.UpdatedAt < (long)PaymentOrders.ArrivalWindow.TotalMilliseconds;

    /// <summary>Sends a recorded attempt (CREATED) as an unscheduled MIT and records the answer.</summary>
    public async Task<ChargeResult> SendAsync(Payment payment, CancellationToken cancellationToken)
    {
        // Nothing to charge: refused here, nothing is sent, and the same charge id proceeds once a card is saved.
        if (payment.PaymentTokenId is not { } token)
        {
            return await RefuseUnsentAsync(payment, ResultCodes.TokenInvalid, "The user has no saved card that allows merchant-initiated charges.", cancellationToken);
        }

        if (payment.Sends == 0 && RefusalBeforeSending(await wallet.FindAsync(token, cancellationToken)) is var (code, message))
        {
            return await RefuseUnsentAsync(payment, code, message, cancellationToken);
        }

        // Counted before it leaves: from here on an order may exist, and doubt never turns into "not sent".
        if (await payments.MarkSentAsync(payment.OutTradeNo, cancellationToken) is not { } sends)
        {
            // Settled meanwhile by another request for the same charge.
            return await ResultAsync((await payments.FindAsync(payment.OutTradeNo, cancellationToken))!, cancellationToken);
        }

        var order = new OrderDetails(payment.OutTradeNo, payment.Reason ?? "Charge", Currencies.FromMinorUnits(payment.AmountMinor, payment.Currency), payment.Currency, options.Value.Country, payment.UserId)
        {
            NotifyUrl = options.Value.NotifyUrl,
            Reference = payment.Charge,
        };
        try
        {
            var answer = await client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(order, token, Buyer), cancellationToken);
            if (answer.IsSuccess && answer.Data is { } data)
            {
                await payments.ApplyAsync(PaymentOrders.From(payment.OutTradeNo, data), cancellationToken);
            }
            else if (answer.Code == ResultCodes.TooManyRequest)
            {
                // Nothing was stored at the gateway: the payment stays CREATED, and charging again with the same chargeId sends it.
                return await ResultAsync((await payments.FindAsync(payment.OutTradeNo, cancellationToken))!, cancellationToken) with { ResultCode = answer.Code, ResultMsg = answer.Msg };
            }
            else if (answer.Code == ResultCodes.OrderRepeat)
            {
                // Sent before by an attempt whose answer was lost, or by a request racing this one: the gateway's order is the truth.
                return await SettleAsync(payment, IfAbsent.KeepOpen, cancellationToken);
            }
            else
            {
                await payments.RefuseAsync(payment.OutTradeNo, answer.Code, answer.Msg, cancellationToken);
                if (answer.Code is ResultCodes.TokenInvalid or ResultCodes.TokenNotExist)
                {
                    // The card is dead at the gateway: learn whether it was removed or expired.
                    await wallet.SyncAsync(payment.UserId, cancellationToken);
                }
            }
        }
        catch (PayerMaxException ex)
        {
            // No connection was made and no other send was counted: provably nothing reached the gateway.
            if (ex is PayerMaxTransportException { NothingSent: true } && sends == 1
                && await payments.RefuseUnsentAsync(payment.OutTradeNo, sends, NotSentCodes.GatewayUnreachable, "The gateway could not be reached; nothing was sent. Charging again with the same chargeId sends it.", cancellationToken))
            {
                logger.ChargeNotSent(payment.OutTradeNo);
                return await ResultAsync((await payments.FindAsync(payment.OutTradeNo, cancellationToken))!, cancellationToken);
            }

            // The outcome is unknown: settle by order number now if possible; otherwise the payment stays
            // CREATED, a repeated charge settles it, and so does the reconciler.
            logger.ChargeOutcomeUnknown(payment.OutTradeNo, ex.GetType().Name);
            return await SettleAsync(payment, IfAbsent.KeepOpen, cancellationToken);
        }

        return await ResultAsync((await payments.FindAsync(payment.OutTradeNo, cancellationToken))!, cancellationToken);
    }

    // Why a card must not be charged now: no longer active, or its cardholder disputed a payment on it as fraud.
    private static (string Code, string Message)? RefusalBeforeSending(WalletEntry? card) => card switch
    {
        { Status: not TokenStatuses.Activated } => (ResultCodes.TokenInvalid, "The saved card was removed or has expired."),
        { FraudCaseId: { } caseId } => (NotSentCodes.CardDisputedAsFraud,
            $"The cardholder disputed a payment on this card as fraud (case {caseId}): it cannot be charged without the customer until they pay with it again themselves."),
        _ => null,
    };

    private async Task<ChargeResult> RefuseUnsentAsync(Payment payment, string code, string message, CancellationToken cancellationToken)
    {
        await payments.RefuseUnsentAsync(payment.OutTradeNo, 0, code, message, cancellationToken);
        return await ResultAsync((await payments.FindAsync(payment.OutTradeNo, cancellationToken))!, cancellationToken);
    }

    private BuyerInfo Buyer => new() { ClientIp = options.Value.ServerIp, UserAgent = "TokenPay.Merchant (merchant-initiated)" };

    /// <summary>An attempt's outcome, with the charge's retry plan when it was declined.</summary>
    private async Task<ChargeResult> ResultAsync(Payment p, CancellationToken cancellationToken)
    {
        var result = new ChargeResult(p.Charge ?? p.OutTradeNo, p.OutTradeNo, p.Status, p.ResultCode, p.ResultMsg, Currencies.FromMinorUnits(p.AmountMinor, p.Currency), p.Currency, PaymentTokenId: p.PaymentTokenId)
        {
            Attempt = p.Attempt,
        };
        if (p.Status != PaymentStatuses.Failed || p.Charge is not { } chargeId || (p.Attempt == 1 ? p : await payments.FindByChargeAsync(chargeId, cancellationToken)) is not { } charge)
        {
            return result;
        }

        return result with { NextRetryAt = charge.RetryAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null, RetryNote = charge.RetryNote };
    }
}

/// <summary>What settling does with an order the gateway says it does not have.</summary>
internal enum IfAbsent
{
    /// <summary>Send it now (the same order number: never charged twice). A repeated charge request does this.</summary>
    Resend,

    /// <summary>Leave it open: its request may still arrive. What a lost answer or a repeat leads to.</summary>
    KeepOpen,

    /// <summary>Close it as never sent once it could no longer arrive. Only the reconciler does this.</summary>
    Close,
}
