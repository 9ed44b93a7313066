using TokenPay.Acquiring;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using static TokenPay.Gateway.Envelope.FieldRules;

namespace TokenPay.Gateway.Orders;

/// <summary>
/// Every rule of docs/protocol.md 2.1 that can be checked without the database. A refusal names the field
/// and carries the section 5 code; nothing is stored for a refused request. The steps run in a fixed order
/// (texts, currency and country, amount, integration, paymentDetail, mode, mode rules), and the first refusal wins.
/// </summary>
internal static class OrderAndPayValidator
{
    private static readonly TimeSpan MinExpiry = TimeSpan.FromSeconds(1800);
    private static readonly TimeSpan MaxExpiry = TimeSpan.FromSeconds(86400);

    public static bool TryValidate(OrderAndPayRequest r, DateTimeOffset now, out OrderPlan plan, out ApiReply error)
    {
        plan = null!;
        error = Check(r, now, out var built) ?? default;
        if (built is null)
        {
            return false;
        }

        plan = built;
        return true;
    }

    private static ApiReply? Check(OrderAndPayRequest r, DateTimeOffset now, out OrderPlan? plan)
    {
        plan = null;
        if (CheckTexts(r) is { } texts) return texts;
        if (CheckCurrencyAndCountry(r, out var currency, out var country) is { } place) return place;
        if (CheckAmount(r, currency, out var amountMinor) is { } amount) return amount;
        if (r.Integrate is not (Wire.DirectPayment or Wire.HostedCheckout)) return ApiReply.Invalid("integrate must be Direct_Payment or Hosted_Checkout.");
        if (CheckPaymentDetail(r, out var detail) is { } details) return details;
        if (ChooseMode(r.Integrate == Wire.HostedCheckout, detail, now, out var mode, out var card) is { } modeRefusal) return modeRefusal;

        var binds = mode == PaymentMode.CardBind || (mode is PaymentMode.Hosted or PaymentMode.DropIn && detail.TokenForFutureUse);
        if (CheckModeRules(r, mode, amountMinor, bindOnly: binds && detail.MitType is not null) is { } rules) return rules;

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
            ExpiresIn = r.ExpireTime is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, MinExpiry.TotalSeconds, MaxExpiry.TotalSeconds)) : MinExpiry,
            Card = card,
            PaymentTokenId = detail.HasToken ? detail.Sent.PaymentTokenId : null,
            // mitType only means something when it is recorded on a new token or drives an MIT.
            MitType = binds || mode == PaymentMode.TokenMerchant ? detail.MitType : null,
            BindsToken = binds,
            DropinPaymentToken = mode == PaymentMode.DropIn ? detail.Sent.PaymentToken : null,
            DropinSessionKey = mode == PaymentMode.DropIn ? detail.Sent.SessionKey : null,
        };
        return null;
    }

    // The order's own texts and the merchant's URLs.
    private static ApiReply? CheckTexts(OrderAndPayRequest r) =>
        MerchantNumber(r.OutTradeNo, "outTradeNo")
        ?? Required(r.Subject, "subject", 256)
        ?? Required(r.UserId, "userId", 64)
        ?? Optional(r.Reference, "reference", 512)
        ?? Optional(r.Language, "language", 16)
        ?? Url(r.FrontCallbackUrl, "frontCallbackUrl", 1024)
        ?? Url(r.NotifyUrl, "notifyUrl", 256)
        ?? Optional(r.MitManagementUrl, "mitManagementUrl", 1024)
        ?? (r.OsType is not null and not ("ANDROID" or "IOS") ? ApiReply.Invalid("osType must be ANDROID or IOS.") : null);

    private static ApiReply? CheckCurrencyAndCountry(OrderAndPayRequest r, out string currency, out string? country)
    {
        currency = "";
        country = null;
        if (string.IsNullOrEmpty(r.Currency)) return ApiReply.Invalid("currency is required.");
        currency = r.Currency.ToUpperInvariant();
        if (!Currencies.IsKnown(currency)) return ApiReply.Error(ResultCodes.CurrencyInvalid, "currency is not an ISO 4217 currency code.");
        // Absent: PayerMax's own examples omit it; OrderPlacement takes it from the saved card, the session, the card's issuer or the merchant.
        country = string.IsNullOrEmpty(r.Country) ? null : r.Country.ToUpperInvariant();
        return country is not null && !Countries.IsKnown(country) ? ApiReply.Error(ResultCodes.CountryInvalid, "country is not an ISO 3166 alpha-2 country code.") : null;
    }

    private static ApiReply? CheckAmount(OrderAndPayRequest r, string currency, out long amountMinor)
    {
        amountMinor = 0;
        if (r.TotalAmount is not { } amount) return ApiReply.Invalid("totalAmount is required.");
        if (amount < 0) return ApiReply.Error(ResultCodes.AmountInvalid, "totalAmount must not be negative.");
        return Currencies.TryToMinorUnits(amount, currency, out amountMinor)
            ? null
            : ApiReply.Error(ResultCodes.AmountInvalid, $"totalAmount has more decimals than {currency} allows ({Currencies.MinorDigits(currency)}).");
    }

    /// <summary>paymentDetail's fields on their own, and which ways of paying it names (at most one).</summary>
    private static ApiReply? CheckPaymentDetail(OrderAndPayRequest r, out DetailShape shape)
    {
        shape = default;
        if (r.PaymentDetail is not { } detail) return ApiReply.Invalid("paymentDetail is required.");
        var hasDropin = !string.IsNullOrEmpty(detail.PaymentToken) || !string.IsNullOrEmpty(detail.SessionKey);
        // PayerMax's Drop-in payment schema has no paymentMethodType: the component's token is a card.
        if (detail.PaymentMethodType is null && !hasDropin) return ApiReply.Invalid("paymentDetail.paymentMethodType is required.");
        if (detail.PaymentMethodType is not (null or Wire.Card)) return ApiReply.Invalid("paymentDetail.paymentMethodType must be CARD.");
        if (r.TerminalType is not (null or "WEB" or "WAP" or "APP")) return ApiReply.Invalid("terminalType must be WEB, WAP or APP.");
        if (Optional(detail.BuyerInfo?.ClientIp, "paymentDetail.buyerInfo.clientIp", 64) is { } clientIp) return clientIp;
        if (Optional(detail.BuyerInfo?.UserAgent, "paymentDetail.buyerInfo.userAgent", 2048) is { } userAgent) return userAgent;

        var mitType = detail.MitType?.ToUpperInvariant();
        if (mitType is not (null or Wire.MitScheduled or Wire.MitUnscheduled)) return ApiReply.Invalid("paymentDetail.mitType must be SCHEDULED or UNSCHEDULED.");

        shape = new DetailShape(detail, mitType, detail.MerchantInitiated ?? false, detail.TokenForFutureUse ?? false, detail.CardInfo is not null, !string.IsNullOrEmpty(detail.PaymentTokenId), hasDropin);
        if (shape.HasCard && shape.HasToken) return ApiReply.Invalid("paymentDetail.cardInfo and paymentDetail.paymentTokenID cannot be sent together.");
        if (hasDropin && (shape.HasCard || shape.HasToken)) return ApiReply.Invalid("paymentDetail.paymentToken cannot be combined with cardInfo or paymentTokenID.");
        return Optional(detail.PaymentTokenId, "paymentDetail.paymentTokenID", 64);
    }

    /// <summary>The mode (docs/protocol.md 2.1 A to F) the request asks for, with the rules of that mode's fields.</summary>
    private static ApiReply? ChooseMode(bool hosted, DetailShape d, DateTimeOffset now, out PaymentMode mode, out PlainCard? card)
    {
        mode = default;
        card = null;
        if (hosted)
        {
            if (d.HasCard || d.HasToken || d.HasDropin) return ApiReply.Invalid("Hosted_Checkout collects the card on the cashier page: send no cardInfo, paymentTokenID or paymentToken.");
            if (d.MerchantInitiated) return ApiReply.Invalid("paymentDetail.merchantInitiated cannot be true for Hosted_Checkout.");
            mode = PaymentMode.Hosted;
        }
        else if (d.MerchantInitiated)
        {
            if (d.HasCard) return ApiReply.Invalid("paymentDetail.cardInfo is not allowed in a merchant-initiated payment; use paymentTokenID.");
            if (!d.HasToken) return ApiReply.Invalid("paymentDetail.paymentTokenID is required for a merchant-initiated payment.");
            if (d.MitType is null) return ApiReply.Invalid("paymentDetail.mitType is required for a merchant-initiated payment.");
            if (d.TokenForFutureUse) return ApiReply.Invalid("paymentDetail.tokenForFutureUse must be false in a merchant-initiated payment.");
            mode = PaymentMode.TokenMerchant;
        }
        else if (d.HasToken)
        {
            if (d.TokenForFutureUse) return ApiReply.Invalid("paymentDetail.tokenForFutureUse cannot be true when paying with paymentTokenID; the card is already saved.");
            mode = PaymentMode.TokenCustomer;
        }
        else if (d.HasCard)
        {
            if (CardRules.Check(d.Sent.CardInfo!, now, out card) is { } problem) return ApiReply.Error(problem.Code, "paymentDetail.cardInfo." + problem.Message);
            mode = d.TokenForFutureUse ? PaymentMode.CardBind : PaymentMode.Card;
        }
        else if (d.HasDropin)
        {
            if (string.IsNullOrEmpty(d.Sent.PaymentToken) || d.Sent.PaymentToken.Length > 128) return ApiReply.Invalid("paymentDetail.paymentToken is required with sessionKey (at most 128 characters).");
            if (string.IsNullOrEmpty(d.Sent.SessionKey) || d.Sent.SessionKey.Length > 128) return ApiReply.Invalid("paymentDetail.sessionKey is required with paymentToken (at most 128 characters).");
            mode = PaymentMode.DropIn;
        }
        else
        {
            return ApiReply.Invalid("paymentDetail needs cardInfo, paymentTokenID, or a Drop-in paymentToken with sessionKey.");
        }

        return null;
    }

    private static ApiReply? CheckModeRules(OrderAndPayRequest r, PaymentMode mode, long amountMinor, bool bindOnly)
    {
        // The customer is at the merchant's own page. buyerInfo is optional even then: PayerMax's own example of
        // saving a card with cardInfo sends none (docs/protocol.md 3.1); a merchant-initiated payment has no customer.
        if (mode is (PaymentMode.Card or PaymentMode.CardBind or PaymentMode.TokenCustomer) && r.TerminalType is null)
        {
            return ApiReply.Invalid("terminalType is required for a customer-present Direct_Payment.");
        }

        return amountMinor == 0 && !bindOnly
            ? ApiReply.Error(ResultCodes.AmountInvalid, "totalAmount must be greater than 0; a zero amount only binds a card (tokenForFutureUse=true with mitType).")
            : null;
    }

    /// <summary>paymentDetail as sent, its mitType normalised, and which of card, token and Drop-in token it carries.</summary>
    private readonly record struct DetailShape(PaymentDetail Sent, string? MitType, bool MerchantInitiated, bool TokenForFutureUse, bool HasCard, bool HasToken, bool HasDropin);
}
