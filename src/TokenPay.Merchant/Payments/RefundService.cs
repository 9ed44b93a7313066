using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TokenPay.Client;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol;

namespace TokenPay.Merchant.Payments;

/// <summary>A refund request: give (part of) a payment back. <c>RefundId</c> makes it idempotent.</summary>
public sealed record RefundOrder(string Payment, decimal Amount, string RefundId, string? Reason = null);

/// <summary>The outcome of a refund request as the caller sees it.</summary>
public sealed record RefundOutcome(string RefundId, string OutRefundNo, string Payment, string Status, string? RefundTradeNo, string? ResultCode, string? ResultMsg, decimal Amount, string Currency, bool Replayed = false)
{
    /// <summary>The result code of a request refused because its refund id belongs to a refund with other parameters.</summary>
    public const string RefundIdReused = "REFUND_ID_REUSED";

    public bool IsRefundIdConflict => ResultCode == RefundIdReused;

    /// <summary>What happened, in a sentence an operator reads.</summary>
    public string Sentence => Status switch
    {
        RefundStates.Success => $"Refunded {Amount} {Currency}.",
        RefundStates.Pending => $"The refund of {Amount} {Currency} was accepted; the money goes back shortly (a notification or the reconciler settles it).",
        RefundStates.Failed => $"The refund failed: {ResultMsg}",
        RefundStates.Refused => $"Not refunded: {ResultMsg} ({ResultCode}).",
        _ => "The outcome is not known yet: the refund will be settled with the gateway (asking again with the same refund id is safe).",
    };
}

/// <summary>
/// Refunds of the merchant's payments. The refund id fixes the refund number; the refund is recorded before
/// the request is sent, and one whose answer was lost is settled with refundQuery by that number before
/// anything is sent again, so asking twice never refunds twice.
/// </summary>
internal sealed class RefundService(PayerMaxClient client, PaymentStore payments, RefundLedger refunds, IOptions<MerchantOptions> options, TimeProvider clock, ILogger<RefundService> logger)
{
    /// <summary>What is wrong with a request (the field, as the API names it), or null.</summary>
    public static FieldProblem? Check(RefundOrder request)
    {
        if (string.IsNullOrWhiteSpace(request.RefundId) || request.RefundId.Length > 128) return new("refundId", "refundId is required (at most 128 characters); the same refundId never refunds twice.");
        if (string.IsNullOrWhiteSpace(request.Payment) || request.Payment.Length > 64) return new("payment", "payment (the payment's outTradeNo) is required.");
        if (request.Amount <= 0) return new("amount", "amount must be more than zero.");
        return request.Reason is { Length: > 256 } ? new("reason", "reason is at most 256 characters.") : null;
    }

    /// <summary>The refund number of a refund id: a function of it, so a retry reuses the number (hashed: refund numbers allow only [A-Za-z0-9_]).</summary>
    public static string OutRefundNoFor(string refundId) => "rf_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refundId)))[..40];

    public async Task<RefundOutcome> RefundAsync(RefundOrder request, CancellationToken cancellationToken)
    {
        if (Check(request) is { } problem)
        {
            throw new ArgumentException(problem.Message, nameof(request));
        }

        var payment = await payments.FindAsync(request.Payment, cancellationToken);
        if (payment is null)
        {
            return new RefundOutcome(request.RefundId, OutRefundNoFor(request.RefundId), request.Payment, RefundStates.Refused, null, ResultCodes.OrderNotExist, "There is no payment with this outTradeNo.", request.Amount, "");
        }

        if (!Currencies.TryToMinorUnits(request.Amount, payment.Currency, out var amountMinor))
        {
            return new RefundOutcome(request.RefundId, OutRefundNoFor(request.RefundId), request.Payment, RefundStates.Refused, null, ResultCodes.AmountInvalid,
                $"amount has more decimals than {payment.Currency} allows ({Currencies.MinorDigits(payment.Currency)}).", request.Amount, payment.Currency);
        }

        var existing = await refunds.FindByRefundIdAsync(request.RefundId, cancellationToken);
        if (existing is null)
        {
            var created = await refunds.TryCreateAsync(new MerchantRefund
            {
                OutRefundNo = OutRefundNoFor(request.RefundId),
                RefundId = request.RefundId,
                OutTradeNo = payment.OutTradeNo,
                AmountMinor = amountMinor,
                Currency = payment.Currency,
                Reason = request.Reason,
                Status = RefundStates.Created,
                CreatedAt = 0,
                UpdatedAt = 0,
            }, cancellationToken);
            existing = (await refunds.FindByRefundIdAsync(request.RefundId, cancellationToken))!;
            if (created)
            {
                return await SendAsync(existing, cancellationToken);
            }
        }

        if (existing.OutTradeNo != payment.OutTradeNo || existing.AmountMinor != amountMinor)
        {
            return Outcome(existing) with
            {
                Status = RefundStates.Refused,
                ResultCode = RefundOutcome.RefundIdReused,
                ResultMsg = $"refundId {request.RefundId} was already used for a refund of {Currencies.FromMinorUnits(existing.AmountMinor, existing.Currency)} {existing.Currency} on payment {existing.OutTradeNo}; nothing was refunded. Use a new refundId for a new refund.",
            };
        }

        // A refusal from before anything was sent (gateway unreachable) fixed nothing: the refund proceeds now.
        if (existing.IsRefusedUnsent && await refunds.ReopenUnsentAsync(existing.OutRefundNo, cancellationToken))
        {
            return await SendAsync((await refunds.FindAsync(existing.OutRefundNo, cancellationToken))!, cancellationToken);
        }

        var recorded = existing.IsFinal ? Outcome(existing) : await SettleAsync(existing, IfAbsent.Resend, cancellationToken);
        return recorded with { Replayed = true };
    }

    /// <summary>
    /// Finds out what happened to an open refund by refundQuery; one the gateway does not know is sent again (same
    /// refund number), left open, or closed as never sent once it could no longer arrive, as <paramref name="ifAbsent"/> says.
    /// </summary>
    public async Task<RefundOutcome> SettleAsync(MerchantRefund refund, IfAbsent ifAbsent, CancellationToken cancellationToken)
    {
        PayerMaxResult<Protocol.Models.RefundView> query;
        try
        {
            query = await client.RefundQueryAsync(new Protocol.Models.RefundQueryRequest { OutRefundNo = refund.OutRefundNo }, cancellationToken);
        }
        catch (PayerMaxException)
        {
            return Outcome(refund);
        }

        if (query.IsSuccess && query.Data is { } view)
        {
            await refunds.ApplyAsync(new RefundUpdate(refund.OutRefundNo, view.Status, view.RefundTradeNo, null, view.ResultMsg), cancellationToken);
        }
        else if (query.Code == ResultCodes.RefundNotExist && refund.Status == RefundStates.Created)
        {
            if (ifAbsent == IfAbsent.Resend)
            {
                return await SendAsync(refund, cancellationToken);
            }

            var mayStillArrive = refund.Sends > 0 && clock.GetUtcNow().ToUnixTimeMilliseconds() - refund.UpdatedAt < (long)PaymentOrders.ArrivalWindow.TotalMilliseconds;
            if (ifAbsent == IfAbsent.Close && !mayStillArrive)
            {
                await refunds.ApplyAsync(new RefundUpdate(refund.OutRefundNo, RefundStates.Refused, null, NotSentCodes.NotSent, "The refund request never reached the gateway."), cancellationToken);
            }
        }

        return Outcome((await refunds.FindAsync(refund.OutRefundNo, cancellationToken))!);
    }

    private async Task<RefundOutcome> SendAsync(MerchantRefund refund, CancellationToken cancellationToken)
    {
        // Counted before it leaves: from here on a refund may exist, and doubt never turns into "not sent".
        if (await refunds.MarkSentAsync(refund.OutRefundNo, cancellationToken) is not { } sends)
        {
            return Outcome((await refunds.FindAsync(refund.OutRefundNo, cancellationToken))!);
        }

        var amount = Currencies.FromMinorUnits(refund.AmountMinor, refund.Currency);
        try
        {
            var answer = await client.RefundAsync(new Protocol.Models.RefundRequest
            {
                OutRefundNo = refund.OutRefundNo,
                OutTradeNo = refund.OutTradeNo,
                RefundAmount = amount,
                RefundCurrency = refund.Currency,
                Comments = refund.Reason,
                RefundNotifyUrl = options.Value.NotifyUrl,
            }, cancellationToken);
            var update = answer.IsSuccess && answer.Data is { } data
                ? new RefundUpdate(refund.OutRefundNo, data.Status, data.RefundTradeNo, null, null)
                : new RefundUpdate(refund.OutRefundNo, RefundStates.Refused, null, answer.Code, answer.Msg);
            await refunds.ApplyAsync(update, cancellationToken);
        }
        catch (PayerMaxException ex)
        {
            // No connection was made and no other send was counted: provably nothing reached the gateway.
            if (ex is PayerMaxTransportException { NothingSent: true } && sends == 1
                && await refunds.RefuseUnsentAsync(refund.OutRefundNo, sends, NotSentCodes.GatewayUnreachable, "The gateway could not be reached; nothing was sent. Refunding again with the same refundId sends it.", cancellationToken))
            {
                return Outcome((await refunds.FindAsync(refund.OutRefundNo, cancellationToken))!);
            }

            // Unknown: settle by refund number now if possible; otherwise the reconciler (or a repeat) does.
            logger.RefundOutcomeUnknown(refund.OutRefundNo, ex.GetType().Name);
            return await SettleAsync(refund, IfAbsent.KeepOpen, cancellationToken);
        }

        return Outcome((await refunds.FindAsync(refund.OutRefundNo, cancellationToken))!);
    }

    private static RefundOutcome Outcome(MerchantRefund r) =>
        new(r.RefundId, r.OutRefundNo, r.OutTradeNo, r.Status, r.RefundTradeNo, r.ResultCode, r.ResultMsg, Currencies.FromMinorUnits(r.AmountMinor, r.Currency), r.Currency);
}
