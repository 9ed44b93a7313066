using System.Text.Json;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Notifications;

/// <summary>
/// What every notification shares (docs/protocol.md 5): where it goes, and the envelope (app, merchant, key
/// version, type, result and time) around the data a feature shows: Orders the PAYMENT and a binding's
/// TOKENIZATION, Refunds the REFUND, Tokens a token's later TOKENIZATION, Disputes the CHARGEBACK. The body is signed when it is sent.
/// </summary>
internal sealed class NotificationFactory(MerchantRegistry merchants)
{
    /// <summary>
    /// The <paramref name="notifyType"/> notification about a trade of app <paramref name="appId"/>, to the trade's
    /// own notify URL, else the app's for that type; null when the merchant takes none.
    /// </summary>
    /// <param name="at">The notifyTime: when the reported change happened (Unix ms).</param>
    public NotificationDraft? Create<T>(string notifyType, string appId, string merchantNo, string? notifyUrl, long at, T data, string code = ResultCodes.ApplySuccess, string msg = "Success.")
    {
        var app = merchants.FindApp(appId);
        if (app is null || (notifyType == Wire.NotifyTokenization && !app.TokenizationNotifications))
        {
            return null;
        }

        var url = notifyUrl ?? notifyType switch
        {
            Wire.NotifyRefund => app.RefundNotifyUrl,
            Wire.NotifyChargeback => app.DisputeNotifyUrl ?? app.NotifyUrl,
            _ => app.NotifyUrl,
        };
        return url is null ? null : new NotificationDraft(notifyType, url, JsonSerializer.SerializeToUtf8Bytes(new Notification<T>
        {
            AppId = app.AppId,
            MerchantNo = merchantNo,
            KeyVersion = app.KeyVersion,
            NotifyTime = PayerMaxTime.Format(DateTimeOffset.FromUnixTimeMilliseconds(at)),
            NotifyType = notifyType,
            Code = code,
            Msg = msg,
            Data = data,
        }, PayerMaxJson.Options));
    }
}
