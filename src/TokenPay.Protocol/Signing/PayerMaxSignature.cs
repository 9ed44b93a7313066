using System.Buffers;
using System.Security.Cryptography;

namespace TokenPay.Protocol.Signing;

/// <summary>
/// The one signer and verifier of the protocol: RSASSA-PKCS1-v1_5 with SHA-256 over the exact
/// bytes of an HTTP body, carried as standard base64 in the <c>sign</c> header.
/// </summary>
public static class PayerMaxSignature
{
    /// <summary>The HTTP header that carries the signature.</summary>
    public const string HeaderName = "sign";

    private const int Rsa2048SignatureBytes = 256;

    /// <summary>Signs <paramref name="body"/> and returns the base64 signature.</summary>
    public static string Sign(RSA privateKey, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        Span<byte> signature = stackalloc byte[Rsa2048SignatureBytes];
        if (privateKey.TrySignData(body, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out var written))
        {
            return Convert.ToBase64String(signature[..written]);
        }

        // Keys larger than 2048 bits take the allocating path.
        return Convert.ToBase64String(privateKey.SignData(body.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>
    /// True when <paramref name="signature"/> (base64) is a valid signature of <paramref name="body"/>.
    /// A missing, malformed or wrong signature is simply false, never an exception.
    /// </summary>
    public static bool Verify(RSA publicKey, ReadOnlySpan<byte> body, string? signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (string.IsNullOrWhiteSpace(signature) || signature.Length > 1024)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(768);
        try
        {
            if (!Convert.TryFromBase64String(signature.Trim(), buffer, out var length))
            {
                return false;
            }

            return publicKey.VerifyData(body, buffer.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
