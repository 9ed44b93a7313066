using System.Security.Cryptography;
using TokenPay.Protocol.Signing;

namespace TokenPay.Testing;

/// <summary>The spec's vector key pairs (test only) and fresh keys for a second merchant.</summary>
public static class TestKeys
{
    public const string AppId = "sandboxapp0000000000000000000001";
    public const string MerchantNo = "SANDBOX00000001";
    public const string OtherAppId = "otherapp00000000000000000000002";
    public const string OtherMerchantNo = "OTHER0000000002";

    public static string MerchantPrivate => Vector("merchant-private.pkcs8.b64");

    public static string MerchantPublic => Vector("merchant-public.spki.b64");

    public static string PlatformPrivate => Vector("platform-private.pkcs8.b64");

    public static string PlatformPublic => Vector("platform-public.spki.b64");

    /// <summary>A second merchant's key pair, made once per test run.</summary>
    public static RSA OtherMerchant { get; } = RSA.Create(2048);

    public static string OtherMerchantPublic => RsaKeys.ExportPublicKey(OtherMerchant);

    public static string Vector(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", name)).Trim();
}
