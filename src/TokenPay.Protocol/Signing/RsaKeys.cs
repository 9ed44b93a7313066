using System.Security.Cryptography;

namespace TokenPay.Protocol.Signing;

/// <summary>
/// Loads RSA keys in the forms merchants hold them: one line of base64 DER (PKCS#8 or PKCS#1 private,
/// SubjectPublicKeyInfo or PKCS#1 public), or PEM. Errors never echo the key material.
/// </summary>
public static class RsaKeys
{
    /// <summary>Imports a private key from base64 PKCS#8 (or PKCS#1) DER, or from PEM.</summary>
    public static RSA ImportPrivateKey(string text) =>
        Import(text, "private key", "base64 PKCS#8 DER or PEM", (rsa, der) => rsa.ImportPkcs8PrivateKey(der, out _), (rsa, der) => rsa.ImportRSAPrivateKey(der, out _));

    /// <summary>Imports a public key from base64 SubjectPublicKeyInfo (or PKCS#1) DER, or from PEM.</summary>
    public static RSA ImportPublicKey(string text) =>
        Import(text, "public key", "base64 SubjectPublicKeyInfo DER or PEM", (rsa, der) => rsa.ImportSubjectPublicKeyInfo(der, out _), (rsa, der) => rsa.ImportRSAPublicKey(der, out _));

    // PEM names its own form; bare DER is tried in the usual form, then in PKCS#1.
    private static RSA Import(string text, string what, string expected, Action<RSA, byte[]> importDer, Action<RSA, byte[]> importPkcs1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var rsa = RSA.Create();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                rsa.ImportFromPem(text);
                return rsa;
            }

            var der = DecodeBase64(text, what);
            try
            {
                importDer(rsa, der);
            }
            catch (CryptographicException)
            {
                importPkcs1(rsa, der);
            }

            return rsa;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            throw new FormatException($"The {what} is not a valid RSA key (expected {expected}).");
        }
    }

    /// <summary>The one-line base64 PKCS#8 form of a private key.</summary>
    public static string ExportPrivateKey(RSA rsa) => Convert.ToBase64String(rsa.ExportPkcs8PrivateKey());

    /// <summary>The one-line base64 SubjectPublicKeyInfo form of a public key.</summary>
    public static string ExportPublicKey(RSA rsa) => Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());

    private static byte[] DecodeBase64(string text, string what)
    {
        try
        {
            return Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new FormatException($"The {what} is not valid base64.");
        }
    }
}
