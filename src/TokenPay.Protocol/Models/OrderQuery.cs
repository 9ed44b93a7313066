using System.Text.Json.Serialization;

namespace TokenPay.Protocol.Models;

/// <summary><c>orderQuery</c> data.</summary>
public sealed record OrderQueryRequest
{
    /// <summary>The merchant's order number: letters, digits and '_', at most 64, unique per merchant case-insensitively.</summary>
    public required string OutTradeNo { get; init; }
}

/// <summary>An order as <c>orderQuery</c> and the PAYMENT notification show it.</summary>
public sealed record OrderView
{
    /// <summary>The merchant's order number: letters, digits and '_', at most 64, unique per merchant case-insensitively.</summary>
    public required string OutTradeNo { get; init; }
    /// <summary>The gateway's order id (T + digits).</summary>
    public required string TradeToken { get; init; }
    /// <summary>The order's state: PENDING, SUCCESS, FAILED or CLOSED.</summary>
    public required string Status { get; init; }
    /// <summary>Amount in major units with at most the currency's minor digits.</summary>
    public required decimal TotalAmount { get; init; }
    /// <summary>
    /// What the order's refunds take back, pending and done, in major units; absent when it has none. TokenPay's
    /// addition: PayerMax's orderQuery shows no refunds (ask refundQuery for each).
    /// </summary>
    public decimal? RefundedAmount { get; init; }
    /// <summary>What open dispute cases freeze of the order, in major units; absent when none (TokenPay's addition, docs/disputes.md).</summary>
    public decimal? DisputedAmount { get; init; }
    /// <summary>What lost dispute cases took back, in major units; absent when none (TokenPay's addition, docs/disputes.md).</summary>
    public decimal? ChargedBackAmount { get; init; }
    /// <summary>ISO 4217 currency code.</summary>
    public required string Currency { get; init; }
    /// <summary>ISO 3166 alpha-2 country code; <c>UN</c> while nobody has named it (an order placed without one, before its shopper chose).</summary>
    public required string Country { get; init; }
    /// <summary>The country of the checkout the customer paid in: the order's country.</summary>
    public required string CashierCountry { get; init; }
    /// <summary>Merchant data echoed in queries and notifications (at most 512 characters).</summary>
    public string? Reference { get; init; }
    /// <summary>When the order reached its terminal state (RFC 3339).</summary>
    public string? CompleteTime { get; init; }
    /// <summary>Why a payment failed (a card outcome code of docs/protocol.md 4).</summary>
    public string? ResultCode { get; init; }
    /// <summary>The failure (or success) explanation; empty while the order is pending.</summary>
    public string? ResultMsg { get; init; }
    /// <summary>The acquirer's reference.</summary>
    public string? ChannelNo { get; init; }
    /// <summary>The network's reference, when known: for a card-storing payment, the network transaction id later MITs are linked to.</summary>
    public string? ThirdChannelNo { get; init; }
    /// <summary>The network's advice on a FAILED payment (TokenPay's addition), when it gave any.</summary>
    public DeclineAdviceView? DeclineAdvice { get; init; }
    /// <summary>How the order was paid.</summary>
    public IReadOnlyList<PaymentDetailView> PaymentDetails { get; init; } = [];
}

/// <summary>How an order was paid: method, token, card as shown, amount.</summary>
public sealed record PaymentDetailView
{
    /// <summary>CARD.</summary>
    public required string PaymentMethodType { get; init; }

    /// <summary>A saved card's token id.</summary>
    [JsonPropertyName("paymentTokenID")]
    public string? PaymentTokenId { get; init; }

    /// <summary>What may be shown of the card.</summary>
    public CardInfoView? CardInfo { get; init; }
    /// <summary>Amount paid in major units.</summary>
    public required decimal PayAmount { get; init; }
    /// <summary>Currency paid.</summary>
    public required string PayCurrency { get; init; }
}

/// <summary>What may be shown of a card: organisation, country, masked number, masked holder name.</summary>
public sealed record CardInfoView
{
    /// <summary>Card organisation: VISA, MASTERCARD, AMEX, JCB, UNIONPAY.</summary>
    public required string CardOrg { get; init; }
    /// <summary>Issuing country; <c>UN</c> when the issuer's country is not known.</summary>
    public string? Country { get; init; }
    /// <summary>The card number masked: first 6, last 4.</summary>
    public required string CardIdentifierNo { get; init; }
    /// <summary>The holder name, masked.</summary>
    public string? CardIdentifierName { get; init; }
}

/// <summary>
/// The card network's advice on a declined payment (TokenPay's addition; docs/stored-credentials.md): present
/// on FAILED answers, queries and PAYMENT notifications when the network gave any.
/// </summary>
public sealed record DeclineAdviceView
{
    /// <summary>Visa-style decline category: 1 issuer never approves, 2 cannot approve now, 3 data quality.</summary>
    public int? Category { get; init; }

    /// <summary>Mastercard-style merchant advice code: 01, 02, 03, 21, 24-30.</summary>
    public string? MerchantAdviceCode { get; init; }

    /// <summary>The earliest time a retry may be sent (RFC 3339), when the advice names one (MAC 24-30).</summary>
    public string? RetryAfter { get; init; }

    /// <summary>True when the networks forbid any retry of this payment with this credential (category 1, MAC 03, MAC 21).</summary>
    public bool DoNotRetry { get; init; }
}
