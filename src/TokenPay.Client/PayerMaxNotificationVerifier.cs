using System.Security.Cryptography;
using System.Text.Json;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;
using TokenPay.Protocol.Signing;

namespace TokenPay.Client;

/// <summary>A notification whose signature verified. Exactly one of <see cref="Payment"/>, <see cref="Tokenization"/>, <see cref="Refund"/> and <see cref="Chargeback"/> is set.</summary>
public sealed record PayerMaxNotification
{
    /// <summary><c>PAYMENT</c>, <c>TOKENIZATION</c>, <c>REFUND</c> or <c>CHARGEBACK</c>.</summary>
    public required string NotifyType { get; init; }

    /// <summary><c>APPLY_SUCCESS</c> for a successful payment; the failure code otherwise.</summary>
    public required string Code { get; init; }

    /// <summary>The gateway's explanation.</summary>
    public required string Msg { get; init; }

    /// <summary>The merchant application the notification is for.</summary>
    public required string AppId { get; init; }

    /// <summary>The merchant the notification is for.</summary>
    public required string MerchantNo { get; init; }

    /// <summary>When the event happened (RFC 3339).</summary>
    public required string NotifyTime { get; init; }

    /// <summary>The order, for PAYMENT notifications: dedupe by (<c>TradeToken</c>, <c>Status</c>).</summary>
    public OrderView? Payment { get; init; }

    /// <summary>The saved card, for TOKENIZATION notifications.</summary>
    public TokenizationView? Tokenization { get; init; }

    /// <summary>The refund, for REFUND notifications (sent once it is final): dedupe by (<c>RefundTradeNo</c>, <c>Status</c>).</summary>
    public RefundView? Refund { get; init; }

    /// <summary>
    /// The dispute case, for CHARGEBACK notifications (one per change of state): dedupe by (<c>CaseId</c>, <c>Status</c>),
    /// and ignore a state older than one already applied (a case never goes back).
    /// </summary>
    public CaseView? Chargeback { get; init; }
}

/// <summary>The outcome of checking a notification: a verified notification, or why it was refused.</summary>
public sealed record NotificationVerification(PayerMaxNotification? Notification, string? FailureReason)
{
    /// <summary>True when the signature verified and the body is a notification.</summary>
    public bool IsValid => Notification is not null;
}

/// <summary>
/// Verifies notifications over the raw body bytes with the platform public key (never over re-serialized
/// JSON, so spacing, key order and escaping of the sender do not matter), then parses them.
/// </summary>
public sealed class PayerMaxNotificationVerifier
{
    private readonly RSA _platformKey;

    /// <summary>Uses the platform key of a client's credentials.</summary>
    public PayerMaxNotificationVerifier(PayerMaxCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _platformKey = credentials.PlatformKey;
    }

    /// <summary>Uses a platform public key (base64 SPKI or PEM).</summary>
    public PayerMaxNotificationVerifier(string platformPublicKey) => _platformKey = RsaKeys.ImportPublicKey(platformPublicKey);

    /// <summary>Checks <paramref name="body"/> against the <c>sign</c> header value and parses it.</summary>
    public NotificationVerification Verify(ReadOnlySpan<byte> body, string? sign)
    {
        if (string.IsNullOrWhiteSpace(sign))
        {
            return new(null, "The sign header is missing.");
        }

        if (!PayerMaxSignature.Verify(_platformKey, body, sign))
        {
            return new(null, "The signature does not verify with the platform public key.");
        }

        try
        {
            var envelope = JsonSerializer.Deserialize<Notification<JsonElement>>(body, PayerMaxJson.Options);
            if (envelope is null)
            {
                return new(null, "The body is not a notification.");
            }

            var notification = new PayerMaxNotification
            {
                NotifyType = envelope.NotifyType,
                Code = envelope.Code,
                Msg = envelope.Msg,
                AppId = envelope.AppId,
                MerchantNo = envelope.MerchantNo,
                NotifyTime = envelope.NotifyTime,
                Payment = envelope.NotifyType == Wire.NotifyPayment ? envelope.Data.Deserialize<OrderView>(PayerMaxJson.Options) : null,
                Tokenization = envelope.NotifyType == Wire.NotifyTokenization ? envelope.Data.Deserialize<TokenizationView>(PayerMaxJson.Options) : null,
                Refund = envelope.NotifyType == Wire.NotifyRefund ? envelope.Data.Deserialize<RefundView>(PayerMaxJson.Options) : null,
                Chargeback = envelope.NotifyType == Wire.NotifyChargeback ? envelope.Data.Deserialize<CaseView>(PayerMaxJson.Options) : null,
            };
            return notification.Payment is null && notification.Tokenization is null && notification.Refund is null && notification.Chargeback is null
                ? new(null, $"Unknown notifyType '{envelope.NotifyType}'.")
                : new(notification, null);
        }
        catch (JsonException)
        {
            return new(null, "The body is not a well-formed notification.");
        }
    }
}
