using System.Security.Cryptography;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Envelope;

/// <summary>The platform's private key: signs every response and every notification.</summary>
internal sealed class PlatformSigner(RSA privateKey)
{
    public string PublicKeyBase64 { get; } = RsaKeys.ExportPublicKey(privateKey);

    public string Sign(ReadOnlySpan<byte> body) => PayerMaxSignature.Sign(privateKey, body);
}
