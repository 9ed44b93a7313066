using System.Globalization;
using System.Text.Json;
using TokenPay.Client;
using TokenPay.Merchant.Payments;
using TokenPay.Merchant.Storage;
using TokenPay.Merchant.Wallet;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;

namespace TokenPay.Merchant.Notifications;

/// <summary>
/// Applies verified notifications: deduped by (tradeToken, refundTradeNo or caseId; status; type), state change and inbox row in
/// one transaction, then (by returning) acknowledged. A duplicate is acknowledged without effect.
/// </summary>
internal sealed class MerchantNotificationHandler(NotificationInbox inbox, TimeProvider clock) : IPayerMaxNotificationHandler
{
    public async Task HandleAsync(PayerMaxNotification notification, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(notification, PayerMaxJson.Options);
        if (notification.Payment is { } order)
        {
            await inbox.ApplyAsync(order.TradeToken, order.Status, Wire.NotifyPayment, order.OutTradeNo, body, PaymentOrders.From(order), null, null, cancellationToken);
        }
        else if (notification.Tokenization is { } token)
        {
            var entry = WalletEntry.FromGateway(token);
            // A card update is an event of its own on the same token: its time is part of its identity.
            var identity = token.CardUpdate is { } change ? $"{token.PaymentTokenId}:{change}:{notification.NotifyTime}" : token.PaymentTokenId;
            await inbox.ApplyAsync(identity, token.PaymentTokenStatus, Wire.NotifyTokenization, token.OutTradeNo, body, null, entry, null, cancellationToken);
        }
        else if (notification.Refund is { } refund)
        {
            var update = new RefundUpdate(refund.OutRefundNo, refund.Status, refund.RefundTradeNo, null, refund.ResultMsg);
            await inbox.ApplyAsync(refund.RefundTradeNo, refund.Status, Wire.NotifyRefund, refund.OutTradeNo, body, null, null, update, cancellationToken);
        }
        else if (notification.Chargeback is { } dispute)
        {
            // The event's own time orders the timeline; a notification without a readable one is dated on arrival.
            var at = DateTimeOffset.TryParse(notification.NotifyTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var notified) ? notified : clock.GetUtcNow();
            await inbox.ApplyChargebackAsync(dispute, at.ToUnixTimeMilliseconds(), body, cancellationToken);
        }
    }
}
