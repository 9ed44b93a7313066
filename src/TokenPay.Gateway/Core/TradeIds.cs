using System.Globalization;
using System.Security.Cryptography;

namespace TokenPay.Gateway.Core;

/// <summary>The gateway's identifiers, in PayerMax's shapes: timestamp plus random digits, unique by index.</summary>
internal static class TradeIds
{
    /// <summary><c>T</c> + yyyyMMddHHmmssfff + 8 random digits, e.g. T2026112207562065700000001.</summary>
    public static string TradeToken(DateTimeOffset now) => "T" + Stamp(now) + Digits(8);

    /// <summary><c>R</c> + yyyyMMddHHmmssfff + 8 random digits: the gateway's refund number.</summary>
    public static string RefundTradeNo(DateTimeOffset now) => "R" + Stamp(now) + Digits(8);

    /// <summary><c>D</c> + yyyyMMddHHmmssfff + 8 random digits: the gateway's dispute case id.</summary>
    public static string CaseId(DateTimeOffset now) => "D" + Stamp(now) + Digits(8);

    /// <summary><c>PMTOKEN</c> + yyyyMMddHHmmssfff + 12 random digits.</summary>
    public static string PaymentTokenId(DateTimeOffset now) => "PMTOKEN" + Stamp(now) + Digits(12);

    /// <summary>An unguessable URL-safe id for links handed to browsers (3DS challenge, cashier).</summary>
    public static string Secret() => Base64Url(RandomNumberGenerator.GetBytes(24));

    private static string Stamp(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    private static string Digits(int count) => RandomNumberGenerator.GetString("0123456789", count);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
