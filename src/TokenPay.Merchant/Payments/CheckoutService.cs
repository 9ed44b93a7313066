using Microsoft.Extensions.Options;
using TokenPay.Client;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Payments;

/// <summary>Where a checkout goes next: a page of the gateway (3DS, cashier) or back to the shop.</summary>
internal sealed record CheckoutStep(string OutTradeNo, string Status, string? RedirectUrl, string? ResultCode, string? ResultMsg);

/// <summary>
/// First payments and bindings through each route the gateway offers: the shop's own card form (a PCI
/// merchant posting cardInfo), the hosted cashier, and Drop-in. Saving uses UNSCHEDULED so the card can
/// later be charged without the customer.
/// </summary>
internal sealed class CheckoutService(PayerMaxClient client, PaymentStore payments, IOptions<MerchantOptions> options)
{
    public Task<CheckoutStep> PayWithCardAsync(string baseUrl, string userId, decimal amount, string currency, string subject, CardInfo card, BuyerInfo buyer, bool saveCard, CancellationToken cancellationToken) =>
        StartAsync(baseUrl, userId, amount, currency, subject, saveCard, order =>
            saveCard ? PaymentRequests.CardPaymentAndSave(order, card, buyer, MitType.Unscheduled) : PaymentRequests.CardPayment(order, card, buyer), cancellationToken);

    public Task<CheckoutStep> PayWithHostedCashierAsync(string baseUrl, string userId, decimal amount, string currency, string subject, bool saveCard, CancellationToken cancellationToken) =>
        StartAsync(baseUrl, userId, amount, currency, subject, saveCard, order => PaymentRequests.HostedCheckout(order, saveCard, MitType.Unscheduled), cancellationToken);

    public Task<CheckoutStep> PayWithDropinAsync(string baseUrl, string userId, decimal amount, string currency, string subject, string paymentToken, string sessionKey, BuyerInfo buyer, bool saveCard, CancellationToken cancellationToken) =>
        StartAsync(baseUrl, userId, amount, currency, subject, saveCard, order =>
            PaymentRequests.DropIn(order, paymentToken, sessionKey, buyer, saveCard, MitType.Unscheduled), cancellationToken);

    /// <summary>
    /// Saves a card without a payment (applyPaymentToken, for later unscheduled charges): done, or the 3DS
    /// page to send the shopper to (who then comes back to <c>/shop/wallet/saved</c>), or why not.
    /// </summary>
    public async Task<PayerMaxResult<TokenApplicationResult>> SaveCardAsync(string baseUrl, string userId, CardInfo card, BuyerInfo buyer, CancellationToken cancellationToken)
    {
        var requestId = "save_" + Guid.NewGuid().ToString("N");
        return await client.ApplyPaymentTokenAsync(new ApplyPaymentTokenRequest
        {
            RequestId = requestId,
            UserId = userId,
            Country = options.Value.Country,
            MitType = "UNSCHEDULE",
            CardInfo = card with { CardOrg = Cards.Brand(card.CardIdentifierNo ?? "") },
            FrontCallbackUrl = $"{baseUrl}/shop/wallet/saved?request={requestId}",
            EnvInfo = new EnvInfo { ClientIp = buyer.ClientIp, UserAgent = buyer.UserAgent, TerminalType = "WEB" },
        }, cancellationToken);
    }

    /// <summary>Where a card-saving request of this shopper stands (after the 3DS page).</summary>
    public Task<PayerMaxResult<TokenApplicationResult>> SavedCardAsync(string userId, string requestId, CancellationToken cancellationToken) =>
        client.InquireApplyRequestAsync(new InquireApplyRequestRequest { UserId = userId, RequestId = requestId }, cancellationToken);

    public async Task<ApplyDropinSessionResult> OpenDropinSessionAsync(string userId, string currency, bool saveCard, CancellationToken cancellationToken)
    {
        var answer = await client.ApplyDropinSessionAsync(new ApplyDropinSessionRequest
        {
            UserId = userId,
            Currency = currency,
            Country = options.Value.Country,
            MitType = saveCard ? Wire.MitUnscheduled : null,
            TokenForFutureUse = saveCard,
            ComponentList = [Wire.Card],
        }, cancellationToken);
        return answer.IsSuccess && answer.Data is { } keys ? keys : throw new InvalidOperationException($"The gateway refused a Drop-in session: {answer.Code} {answer.Msg}");
    }

    /// <summary>The order's state, asking the gateway when the notification has not come yet.</summary>
    public async Task<Payment?> RefreshAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var payment = await payments.FindAsync(outTradeNo, cancellationToken);
        // Open, or paid and saving a card whose token the answer did not carry (only orderQuery shows it).
        if (payment is { IsFinal: false } or { Status: PaymentStatuses.Success, SavesCard: true, PaymentTokenId: null })
        {
            var query = await client.OrderQueryAsync(new OrderQueryRequest { OutTradeNo = outTradeNo }, cancellationToken);
            if (query.IsSuccess && query.Data is { } view)
            {
                await payments.ApplyAsync(PaymentOrders.From(view), cancellationToken);
                payment = await payments.FindAsync(outTradeNo, cancellationToken);
            }
        }

        return payment;
    }

    private async Task<CheckoutStep> StartAsync(string baseUrl, string userId, decimal amount, string currency, string subject, bool saveCard, Func<OrderDetails, OrderAndPayRequest> build, CancellationToken cancellationToken)
    {
        if (!Currencies.TryToMinorUnits(amount, currency, out var amountMinor))
        {
            throw new ArgumentException($"The amount does not fit {currency}.", nameof(amount));
        }

        var outTradeNo = PaymentOrders.NewCheckout();
        await payments.TryCreateAsync(new Payment
        {
            OutTradeNo = outTradeNo,
            Kind = PaymentKinds.Checkout,
            UserId = userId,
            AmountMinor = amountMinor,
            Currency = currency,
            Reason = subject,
            SavesCard = saveCard,
            SaveMitType = saveCard ? Wire.MitUnscheduled : null,
            Status = PaymentStatuses.Created,
            CreatedAt = 0,
            UpdatedAt = 0,
        }, cancellationToken);

        var order = new OrderDetails(outTradeNo, subject, amount, currency, options.Value.Country, userId)
        {
            FrontCallbackUrl = $"{baseUrl}/shop/return?order={outTradeNo}",
            NotifyUrl = options.Value.NotifyUrl ?? $"{baseUrl}/payermax/notify",
        };
        var answer = await client.OrderAndPayAsync(build(order), cancellationToken);
        if (!answer.IsSuccess || answer.Data is not { } data)
        {
            await payments.RefuseAsync(outTradeNo, answer.Code, answer.Msg, cancellationToken);
            return new CheckoutStep(outTradeNo, PaymentStatuses.Refused, null, answer.Code, answer.Msg);
        }

        await payments.ApplyAsync(PaymentOrders.From(outTradeNo, data), cancellationToken);
        if (saveCard && data.Status == PaymentStatuses.Success)
        {
            // The wallet learns the saved card now, whether or not TOKENIZATION notifications are on.
            await RefreshAsync(outTradeNo, cancellationToken);
        }

        return new CheckoutStep(outTradeNo, data.Status, data.RedirectUrl, data.ResultCode, data.ResultMsg);
    }
}
