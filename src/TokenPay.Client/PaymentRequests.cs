using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Client;

/// <summary>Whether later merchant-initiated charges follow a fixed schedule.</summary>
public enum MitType
{
    /// <summary>Charges at times the merchant decides (top-ups, usage billing): <c>UNSCHEDULED</c>.</summary>
    Unscheduled,

    /// <summary>Charges on a fixed schedule (subscriptions): <c>SCHEDULED</c>.</summary>
    Scheduled,
}

/// <summary>What every payment needs, whatever the mode.</summary>
/// <param name="OutTradeNo">The merchant's unique order number (letters, digits, '_'; at most 64): the idempotency key.</param>
/// <param name="Subject">What is bought (at most 256 characters).</param>
/// <param name="TotalAmount">Amount in major units, with at most the currency's minor digits.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Country">ISO 3166 alpha-2 code.</param>
/// <param name="UserId">The merchant's id of the customer; tokens belong to it.</param>
public sealed record OrderDetails(string OutTradeNo, string Subject, decimal TotalAmount, string Currency, string Country, string UserId)
{
    /// <summary>Echoed in queries and notifications (at most 512 characters).</summary>
    public string? Reference { get; init; }

    /// <summary>Where the browser returns after a 3DS challenge or the cashier.</summary>
    public string? FrontCallbackUrl { get; init; }

    /// <summary>Where this order's notifications go (else the merchant's configured URL).</summary>
    public string? NotifyUrl { get; init; }

    /// <summary>Seconds the order may stay PENDING (clamped to 1800-86400).</summary>
    public int? ExpireTime { get; init; }

    /// <summary><c>WEB</c>, <c>WAP</c> or <c>APP</c>.</summary>
    public string TerminalType { get; init; } = "WEB";

    /// <summary>Page language, e.g. <c>en</c>.</summary>
    public string? Language { get; init; }
}

/// <summary>
/// Builders for each mode of <c>orderAndPay</c> (docs/protocol.md 2.1), so the token flags cannot be combined wrongly:
/// a card payment, a payment that saves the card, a bind-only verification, a token payment with the
/// customer present, and scheduled or unscheduled merchant-initiated charges.
/// </summary>
public static class PaymentRequests
{
    /// <summary>Mode A: pay with a card; nothing is saved.</summary>
    public static OrderAndPayRequest CardPayment(OrderDetails order, CardInfo card, BuyerInfo buyer) =>
        Build(order, buyer, new PaymentDetail { PaymentMethodType = Wire.Card, CardInfo = card, TokenForFutureUse = false, MerchantInitiated = false });

    /// <summary>
    /// Mode B: pay with a card and save it. With <paramref name="mitType"/> the saved token may later be charged
    /// without the customer (MIT); without it the token is for customer-present payments only.
    /// </summary>
    public static OrderAndPayRequest CardPaymentAndSave(OrderDetails order, CardInfo card, BuyerInfo buyer, MitType? mitType) =>
        Build(order, buyer, new PaymentDetail
        {
            PaymentMethodType = Wire.Card,
            CardInfo = card,
            TokenForFutureUse = true,
            MerchantInitiated = false,
            MitType = mitType is { } type ? ToWire(type) : null,
        });

    /// <summary>Mode B with amount 0: verify and save the card for later merchant-initiated charges, charging nothing now.</summary>
    public static OrderAndPayRequest SaveCardOnly(OrderDetails order, CardInfo card, BuyerInfo buyer, MitType mitType) =>
        CardPaymentAndSave(order with { TotalAmount = 0m }, card, buyer, mitType);

    /// <summary>Mode C: the customer pays now with a saved card.</summary>
    public static OrderAndPayRequest TokenPayment(OrderDetails order, string paymentTokenId, BuyerInfo buyer) =>
        Build(order, buyer, new PaymentDetail { PaymentMethodType = Wire.Card, PaymentTokenId = paymentTokenId, TokenForFutureUse = false, MerchantInitiated = false });

    /// <summary>Mode D: charge a saved card without the customer, at a time the merchant decides.</summary>
    /// <param name="order">The charge.</param>
    /// <param name="paymentTokenId">A token saved with a <c>mitType</c>.</param>
    /// <param name="buyer">The customer's last known IP and browser, or the merchant server's.</param>
    public static OrderAndPayRequest UnscheduledMit(OrderDetails order, string paymentTokenId, BuyerInfo buyer) =>
        Mit(order, paymentTokenId, buyer, MitType.Unscheduled);

    /// <summary>Mode D: charge a saved card without the customer, on the agreed schedule.</summary>
    public static OrderAndPayRequest ScheduledMit(OrderDetails order, string paymentTokenId, BuyerInfo buyer) =>
        Mit(order, paymentTokenId, buyer, MitType.Scheduled);

    /// <summary>Mode E: the gateway's hosted cashier collects the card; the answer's <c>redirectUrl</c> is where to send the customer.</summary>
    public static OrderAndPayRequest HostedCheckout(OrderDetails order, bool saveCard, MitType? mitType) =>
        Build(order, null, new PaymentDetail
        {
            PaymentMethodType = Wire.Card,
            TokenForFutureUse = saveCard,
            MerchantInitiated = false,
            MitType = saveCard && mitType is { } type ? ToWire(type) : null,
        }) with
        { Integrate = Wire.HostedCheckout, TerminalType = null };

    /// <summary>Mode F: pay (and save) with the one-time <c>paymentToken</c> the Drop-in component handed the page.</summary>
    public static OrderAndPayRequest DropIn(OrderDetails order, string paymentToken, string sessionKey, BuyerInfo buyer, bool saveCard, MitType? mitType) =>
        Build(order, buyer, new PaymentDetail
        {
            PaymentMethodType = Wire.Card,
            PaymentToken = paymentToken,
            SessionKey = sessionKey,
            TokenForFutureUse = saveCard,
            MerchantInitiated = false,
            MitType = saveCard && mitType is { } type ? ToWire(type) : null,
        });

    /// <summary>The wire spelling of a <see cref="MitType"/>.</summary>
    public static string ToWire(MitType type) => type == MitType.Scheduled ? Wire.MitScheduled : Wire.MitUnscheduled;

    private static OrderAndPayRequest Mit(OrderDetails order, string paymentTokenId, BuyerInfo buyer, MitType type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(paymentTokenId);
        return Build(order, buyer, new PaymentDetail
        {
            PaymentMethodType = Wire.Card,
            PaymentTokenId = paymentTokenId,
            TokenForFutureUse = false,
            MerchantInitiated = true,
            MitType = ToWire(type),
        });
    }

    private static OrderAndPayRequest Build(OrderDetails order, BuyerInfo? buyer, PaymentDetail detail)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new OrderAndPayRequest
        {
            OutTradeNo = order.OutTradeNo,
            Subject = order.Subject,
            TotalAmount = order.TotalAmount,
            Currency = order.Currency,
            Country = order.Country,
            UserId = order.UserId,
            Reference = order.Reference,
            FrontCallbackUrl = order.FrontCallbackUrl,
            NotifyUrl = order.NotifyUrl,
            ExpireTime = order.ExpireTime,
            Language = order.Language,
            Integrate = Wire.DirectPayment,
            TerminalType = order.TerminalType,
            PaymentDetail = detail with { BuyerInfo = buyer },
        };
    }
}
