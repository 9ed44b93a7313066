using System.Globalization;
using TokenPay.Acquiring;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using static TokenPay.Gateway.Envelope.FieldRules;

namespace TokenPay.Gateway.Orders;

/// <summary>
/// Every rule of docs/protocol.md 2.1 that can be checked without the database. A refusal names the field
/// and carries the section 5 code; nothing is stored for a refused request.
/// </summary>
internal static class OrderAndPayValidator
{
    private static readonly TimeSpan MinExpiry = TimeSpan.FromSeconds(1800);
    private static readonly TimeSpan MaxExpiry = TimeSpan.FromSeconds(86400);

    public static bool TryValidate(OrderAndPayRequest r, DateTimeOffset now, out OrderPlan plan, out ApiReply error)
    {
        plan = null!;
        error = Check(r, now, out var built);
        if (built is null)
        {
            return false;
        }

        plan = built;
        return true;
    }

    private static ApiReply Check(OrderAndPayRequest r, DateTimeOffset now, out OrderPlan? plan)
    {
        plan = null;
        if (MerchantNumber(r.OutTradeNo, "outTradeNo") is { } e1) return e1;
        if (Required(r.Subject, "subject", 256) is { } e2) return e2;
        if (Required(r.UserId, "userId", 64) is { } e3) return e3;
        if (Optional(r.Reference, "reference", 512) is { } e4) return e4;
        if (Optional(r.Language, "language", 16) is { } e5) return e5;
        if (Url(r.FrontCallbackUrl, "frontCallbackUrl", 1024) is { } e6) return e6;
        if (Url(r.NotifyUrl, "notifyUrl", 256) is { } e7) return e7;
        if (Optional(r.MitManagementUrl, "mitManagementUrl", 1024) is { } e8) return e8;
        if (r.OsType is not null and not ("ANDROID" or "IOS")) return ApiReply.Invalid("osType must be ANDROID or IOS.");

        if (string.IsNullOrEmpty(r.Currency)) return ApiReply.Invalid("currency is required.");
        var currency = r.Currency.ToUpperInvariant();
        if (!Currencies.IsKnown(currency)) return ApiReply.Error(ResultCodes.CurrencyInvalid, "currency is not an ISO 4217 currency code.");
        // Absent: PayerMax's own examples omit it; OrderEndpoints takes it from the saved card, the session, the card's issuer or the merchant.
        var country = string.IsNullOrEmpty(r.Country) ? null : r.Country.ToUpperInvariant();
        if (country is not null && !Countries.IsKnown(country)) return ApiReply.Error(ResultCodes.CountryInvalid, "country is not an ISO 3166 alpha-2 country code.");

        if (r.TotalAmount is not { } amount) return ApiReply.Invalid("totalAmount is required.");
        if (amount < 0) return ApiReply.Error(ResultCodes.AmountInvalid, "totalAmount must not be negative.");
        if (!Currencies.TryToMinorUnits(amount, currency, out var amountMinor))
        {
            return ApiReply.Error(ResultCodes.AmountInvalid, $"totalAmount has more decimals than {currency} allows ({Currencies.MinorDigits(currency)}).");
        }

        if (r.Integrate is not (Wire.DirectPayment or Wire.HostedCheckout)) return ApiReply.Invalid("integrate must be Direct_Payment or Hosted_Checkout.");
        var hosted = r.Integrate == Wire.HostedCheckout;

        var detail = r.PaymentDetail;
        if (detail is null) return ApiReply.Invalid("paymentDetail is required.");
        var hasDropin = !string.IsNullOrEmpty(detail.PaymentToken) || !string.IsNullOrEmpty(detail.SessionKey);
        // PayerMax's Drop-in payment schema has no paymentMethodType: the component's token is a card.
        if (detail.PaymentMethodType is null && !hasDropin) return ApiReply.Invalid("paymentDetail.paymentMethodType is required.");
        if (detail.PaymentMethodType is not (null or Wire.Card)) return ApiReply.Invalid("paymentDetail.paymentMethodType must be CARD.");
        if (r.TerminalType is not (null or "WEB" or "WAP" or "APP")) return ApiReply.Invalid("terminalType must be WEB, WAP or APP.");
        if (Optional(detail.BuyerInfo?.ClientIp, "paymentDetail.buyerInfo.clientIp", 64) is { } e9) return e9;
        if (Optional(detail.BuyerInfo?.UserAgent, "paymentDetail.buyerInfo.userAgent", 2048) is { } e10) return e10;

        var mitType = detail.MitType?.ToUpperInvariant();
        if (mitType is not (null or Wire.MitScheduled or Wire.MitUnscheduled)) return ApiReply.Invalid("paymentDetail.mitType must be SCHEDULED or UNSCHEDULED.");

        var merchantInitiated = detail.MerchantInitiated ?? false;
        var tokenForFutureUse = detail.TokenForFutureUse ?? false;
        var hasCard = detail.CardInfo is not null;
        var hasToken = !string.IsNullOrEmpty(detail.PaymentTokenId);
        if (hasCard && hasToken) return ApiReply.Invalid("paymentDetail.cardInfo and paymentDetail.paymentTokenID cannot be sent together.");
        if (hasDropin && (hasCard || hasToken)) return ApiReply.Invalid("paymentDetail.paymentToken cannot be combined with cardInfo or paymentTokenID.");
        if (Optional(detail.PaymentTokenId, "paymentDetail.paymentTokenID", 64) is { } e11) return e11;

        PaymentMode mode;
        PlainCard? card = null;
        if (hosted)
        {
            if (hasCard || hasToken || hasDropin) return ApiReply.Invalid("Hosted_Checkout collects the card on the cashier page: send no cardInfo, paymentTokenID or paymentToken.");
            if (merchantInitiated) return ApiReply.Invalid("paymentDetail.merchantInitiated cannot be true for Hosted_Checkout.");
            mode = PaymentMode.Hosted;
        }
        else if (merchantInitiated)
        {
            if (hasCard) return ApiReply.Invalid("paymentDetail.cardInfo is not allowed in a merchant-initiated payment; use paymentTokenID.");
            if (!hasToken) return ApiReply.Invalid("paymentDetail.paymentTokenID is required for a merchant-initiated payment.");
            if (mitType is null) return ApiReply.Invalid("paymentDetail.mitType is required for a merchant-initiated payment.");
            if (tokenForFutureUse) return ApiReply.Invalid("paymentDetail.tokenForFutureUse must be false in a merchant-initiated payment.");
            mode = PaymentMode.TokenMerchant;
        }
        else if (hasToken)
        {
            if (tokenForFutureUse) return ApiReply.Invalid("paymentDetail.tokenForFutureUse cannot be true when paying with paymentTokenID; the card is already saved.");
            mode = PaymentMode.TokenCustomer;
        }
        else if (hasCard)
        {
            if (CardRules.Check(detail.CardInfo!, now, out card) is { } problem) return ApiReply.Error(problem.Code, "paymentDetail.cardInfo." + problem.Message);
            mode = tokenForFutureUse ? PaymentMode.CardBind : PaymentMode.Card;
        }
        else if (hasDropin)
        {
            if (string.IsNullOrEmpty(detail.PaymentToken) || detail.PaymentToken.Length > 128) return ApiReply.Invalid("paymentDetail.paymentToken is required with sessionKey (at most 128 characters).");
            if (string.IsNullOrEmpty(detail.SessionKey) || detail.SessionKey.Length > 128) return ApiReply.Invalid("paymentDetail.sessionKey is required with paymentToken (at most 128 characters).");
            mode = PaymentMode.DropIn;
        }
        else
        {
            return ApiReply.Invalid("paymentDetail needs cardInfo, paymentTokenID, or a Drop-in paymentToken with sessionKey.");
        }

        // The customer is at the merchant's own page. buyerInfo is optional even then: PayerMax's own example of
        // saving a card with cardInfo sends none (docs/protocol.md 3.1); a merchant-initiated payment has no customer.
        if (mode is (PaymentMode.Card or PaymentMode.CardBind or PaymentMode.TokenCustomer) && r.TerminalType is null)
        {
            return ApiReply.Invalid("terminalType is required for a customer-present Direct_Payment.");
        }

        var binds = mode == PaymentMode.CardBind || (mode is PaymentMode.Hosted or PaymentMode.DropIn && tokenForFutureUse);
        var bindOnly = binds && mitType is not null;
        if (amountMinor == 0 && !bindOnly)
        {
            return ApiReply.Error(ResultCodes.AmountInvalid, "totalAmount must be greater than 0; a zero amount only binds a card (tokenForFutureUse=true with mitType).");
        }

        var expiresIn = r.ExpireTime is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, MinExpiry.TotalSeconds, MaxExpiry.TotalSeconds)) : MinExpiry;

        plan = new OrderPlan
        {
            Mode = mode,
            Integrate = r.Integrate!,
            OutTradeNo = r.OutTradeNo!,
            Subject = r.Subject!,
            AmountMinor = amountMinor,
            Currency = currency,
            Country = country,
            UserId = r.UserId!,
            Reference = r.Reference,
            Language = r.Language,
            FrontCallbackUrl = r.FrontCallbackUrl,
            NotifyUrl = r.NotifyUrl,
            ExpiresIn = expiresIn,
            Card = card,
            PaymentTokenId = hasToken ? detail.PaymentTokenId : null,
            // mitType only means something when it is recorded on a new token or drives an MIT.
            MitType = binds || mode == PaymentMode.TokenMerchant ? mitType : null,
            BindsToken = binds,
            DropinPaymentToken = mode == PaymentMode.DropIn ? detail.PaymentToken : null,
            DropinSessionKey = mode == PaymentMode.DropIn ? detail.SessionKey : null,
        };
        return default;
    }
}
