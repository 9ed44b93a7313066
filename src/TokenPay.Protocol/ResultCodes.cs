namespace TokenPay.Protocol;

/// <summary>Result codes of docs/protocol.md section 5. <c>code</c> says whether a request was accepted; an order's state is <c>data.status</c>.</summary>
public static class ResultCodes
{
    /// <summary>The request was accepted (the order state is in data.status).</summary>
    public const string ApplySuccess = "APPLY_SUCCESS";
    /// <summary>The sign header is missing or does not verify.</summary>
    public const string SignVerifyFailed = "SIGN_VERIFY_FAILED";
    /// <summary>requestTime is more than the allowed window away from the gateway clock.</summary>
    public const string RequestTimeOverTime = "REQ_TIME_OVER_TIME";
    /// <summary>merchantNo does not own the appId.</summary>
    public const string MerchantInvalid = "MERCHANT_INVALID";
    /// <summary>The appId is not registered.</summary>
    public const string MerchantAppInvalid = "MERCHANT_APP_INVALID";
    /// <summary>A field is missing or malformed; msg names it.</summary>
    public const string ParamsInvalid = "PARAMS_INVALID";
    /// <summary>The amount is negative, zero where not allowed, or has too many decimals.</summary>
    public const string AmountInvalid = "AMOUNT_INVALID";
    /// <summary>Not an ISO 4217 currency.</summary>
    public const string CurrencyInvalid = "CURRENCY_INVALID";
    /// <summary>Not an ISO 3166 alpha-2 country.</summary>
    public const string CountryInvalid = "COUNTRY_INVALID";
    /// <summary>Rate limited.</summary>
    public const string TooManyRequest = "TOO_MANY_REQUEST";
    /// <summary>The gateway failed; query the order before retrying.</summary>
    public const string SystemError = "SYSTEM_ERROR";

    /// <summary>outTradeNo was already used; nothing changed.</summary>
    public const string OrderRepeat = "ORDER_REPEAT";
    /// <summary>No such order for this merchant.</summary>
    public const string OrderNotExist = "ORDER_NOT_EXIST";
    /// <summary>The order expired before it was paid.</summary>
    public const string OrderClosed = "ORDER_CLOSED";
    /// <summary>The order is not in a state that allows the request (a refund of an order that is not SUCCESS).</summary>
    public const string OrderStatusInvalid = "ORDER_STATUS_INVALID";
    /// <summary>The refund would take back more than the order's paid amount less its other refunds.</summary>
    public const string RefundAmountExceeded = "REFUND_AMOUNT_EXCEEDED";
    /// <summary>No such refund for this merchant.</summary>
    public const string RefundNotExist = "REFUND_NOT_EXIST";

    /// <summary>No such dispute case for this merchant (or it belongs to another user than outUserId names).</summary>
    public const string CaseNotExist = "CASE_NOT_EXIST";
    /// <summary>The case cannot take an answer now: already answered otherwise, ruled, closed, cancelled or past its expiration date.</summary>
    public const string CaseStatusInvalid = "CASE_STATUS_INVALID";

    /// <summary>No such token for this merchant (or user, on removal).</summary>
    public const string TokenNotExist = "TOKEN_NOT_EXIST";
    /// <summary>The token was removed or has expired.</summary>
    public const string TokenInvalid = "TOKEN_INVALID";
    /// <summary>The token belongs to another user.</summary>
    public const string TokenUserMismatch = "TOKEN_USER_MISMATCH";

    /// <summary>Declined.</summary>
    public const string PaymentFailed = "PAYMENT_FAILED";
    /// <summary>The card number is not valid.</summary>
    public const string CardInvalid = "CARD_INVALID";
    /// <summary>The card has expired or the expiry is wrong.</summary>
    public const string CardExpireDateInvalid = "CARD_EXPIRE_DATE_INVALID";
    /// <summary>The CVV is wrong.</summary>
    public const string CvvInvalid = "CVV_INVALID";
    /// <summary>Insufficient funds.</summary>
    public const string BalanceInsufficient = "BALANCE_INSUFFICIENT";
    /// <summary>The issuer rejected the payment.</summary>
    public const string IssuerPaymentRejected = "ISSUER_PAYMENT_REJECTED";
    /// <summary>3-D Secure authentication failed.</summary>
    public const string AuthenticateFailed = "AUTHENTICATE_FAILED";
    /// <summary>The card type is not supported.</summary>
    public const string UnsupportCard = "UNSUPPORT_CARD";
}

/// <summary>Order states (docs/protocol.md section 4).</summary>
public static class OrderStatuses
{
    /// <summary>Waiting for the customer or the acquirer.</summary>
    public const string Pending = "PENDING";
    /// <summary>Paid (or, for a bind-only order, the card was verified and saved).</summary>
    public const string Success = "SUCCESS";
    /// <summary>Declined or failed authentication.</summary>
    public const string Failed = "FAILED";
    /// <summary>Expired before it completed.</summary>
    public const string Closed = "CLOSED";
}

/// <summary>Token states (docs/protocol.md section 3.4).</summary>
public static class TokenStatuses
{
    /// <summary>Usable.</summary>
    public const string Activated = "Activated";
    /// <summary>Removed; can no longer be charged.</summary>
    public const string Deleted = "Deleted";
    /// <summary>Past the end of the card's expiry month.</summary>
    public const string Expired = "Expired";
}

/// <summary>Protocol enumerations spelled as on the wire.</summary>
public static class Wire
{
    /// <summary>The merchant sends card data, a token or a Drop-in token.</summary>
    public const string DirectPayment = "Direct_Payment";
    /// <summary>The gateway's cashier page collects the card.</summary>
    public const string HostedCheckout = "Hosted_Checkout";
    /// <summary>The card payment method.</summary>
    public const string Card = "CARD";
    /// <summary>Merchant-initiated on an agreed schedule.</summary>
    public const string MitScheduled = "SCHEDULED";
    /// <summary>Merchant-initiated at times the merchant decides.</summary>
    public const string MitUnscheduled = "UNSCHEDULED";
    /// <summary>All of a user's tokens.</summary>
    public const string TokenScopeAcquiring = "tokenAcq";
    /// <summary>Only tokens usable for MIT.</summary>
    public const string TokenScopeMit = "tokenMit";
    /// <summary><c>ifCVV</c>: a payment with the token needs no CVV again.</summary>
    public const string CvvNotNeeded = "N";
    /// <summary>An order reached a terminal state.</summary>
    public const string NotifyPayment = "PAYMENT";
    /// <summary>A card was saved, or its token changed later (removed, expired, closed or updated by the issuer).</summary>
    public const string NotifyTokenization = "TOKENIZATION";
    /// <summary>A refund reached a final state.</summary>
    public const string NotifyRefund = "REFUND";
    /// <summary>A dispute case was raised or changed state (PayerMax's chargeBaclNotifyUrl callback; docs/disputes.md).</summary>
    public const string NotifyChargeback = "CHARGEBACK";
}

/// <summary>A refund's state: accepted and being processed, then refunded or failed (final).</summary>
public static class RefundStatuses
{
    /// <summary>Accepted; the money has not moved yet.</summary>
    public const string Pending = "REFUND_PENDING";
    /// <summary>The money went back to the card (final).</summary>
    public const string Success = "REFUND_SUCCESS";
    /// <summary>The refund did not happen (final); its amount may be refunded again.</summary>
    public const string Failed = "REFUND_FAILED";
}
