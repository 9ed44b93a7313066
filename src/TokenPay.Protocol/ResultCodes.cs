namespace TokenPay.Protocol;

/// <summary>Result codes of PROTOCOL.md section 5. <c>code</c> says whether a request was accepted; an order's state is <c>data.status</c>.</summary>
public static class ResultCodes
{
    public const string ApplySuccess = "APPLY_SUCCESS";
    public const string SignVerifyFailed = "SIGN_VERIFY_FAILED";
    public const string RequestTimeOverTime = "REQ_TIME_OVER_TIME";
    public const string MerchantInvalid = "MERCHANT_INVALID";
    public const string MerchantAppInvalid = "MERCHANT_APP_INVALID";
    public const string ParamsInvalid = "PARAMS_INVALID";
    public const string AmountInvalid = "AMOUNT_INVALID";
    public const string CurrencyInvalid = "CURRENCY_INVALID";
    public const string CountryInvalid = "COUNTRY_INVALID";
    public const string TooManyRequest = "TOO_MANY_REQUEST";
    public const string SystemError = "SYSTEM_ERROR";

    public const string OrderRepeat = "ORDER_REPEAT";
    public const string OrderNotExist = "ORDER_NOT_EXIST";
    public const string OrderClosed = "ORDER_CLOSED";

    public const string TokenNotExist = "TOKEN_NOT_EXIST";
    public const string TokenInvalid = "TOKEN_INVALID";
    public const string TokenUserMismatch = "TOKEN_USER_MISMATCH";

    public const string PaymentFailed = "PAYMENT_FAILED";
    public const string CardInvalid = "CARD_INVALID";
    public const string CardExpireDateInvalid = "CARD_EXPIRE_DATE_INVALID";
    public const string CvvInvalid = "CVV_INVALID";
    public const string BalanceInsufficient = "BALANCE_INSUFFICIENT";
    public const string IssuerPaymentRejected = "ISSUER_PAYMENT_REJECTED";
    public const string AuthenticateFailed = "AUTHENTICATE_FAILED";
    public const string UnsupportCard = "UNSUPPORT_CARD";
}

/// <summary>Order states (PROTOCOL.md section 4).</summary>
public static class OrderStatuses
{
    public const string Pending = "PENDING";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
    public const string Closed = "CLOSED";
}

/// <summary>Token states (PROTOCOL.md section 3.4).</summary>
public static class TokenStatuses
{
    public const string Activated = "Activated";
    public const string Deleted = "Deleted";
    public const string Expired = "Expired";
}

/// <summary>Protocol enumerations spelled as on the wire.</summary>
public static class Wire
{
    public const string DirectPayment = "Direct_Payment";
    public const string HostedCheckout = "Hosted_Checkout";
    public const string Card = "CARD";
    public const string MitScheduled = "SCHEDULED";
    public const string MitUnscheduled = "UNSCHEDULED";
    public const string TokenScopeAcquiring = "tokenAcq";
    public const string TokenScopeMit = "tokenMit";
    public const string NotifyPayment = "PAYMENT";
    public const string NotifyTokenization = "TOKENIZATION";
}
