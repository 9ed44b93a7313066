using System.Text;
using TokenPay.Protocol.Signing;

namespace TokenPay.Protocol.Tests;

/// <summary>The signatures in docs/protocol.md's vectors, reproduced byte for byte (vectors copied from shared/spec/vectors).</summary>
public class SignatureVectorTests
{
    private static string Vector(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", name));

    private static byte[] VectorBytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", name));

    public static TheoryData<string, string, string> SignedBodies => new()
    {
        { "request-body.json", "request-body.sign", "merchant" },
        { "request-body-utf8.json", "request-body-utf8.sign", "merchant" },
        { "response-body.json", "response-body.sign", "platform" },
    };

    [Theory]
    [MemberData(nameof(SignedBodies))]
    public void Sign_Vector_ReproducesSignatureByteForByte(string body, string signature, string party)
    {
        using var key = RsaKeys.ImportPrivateKey(Vector($"{party}-private.pkcs8.b64"));

        PayerMaxSignature.Sign(key, VectorBytes(body)).ShouldBe(Vector(signature).Trim());
    }

    [Theory]
    [MemberData(nameof(SignedBodies))]
    public void Verify_VectorWithSpkiAndPemKeys_Accepts(string body, string signature, string party)
    {
        using var spki = RsaKeys.ImportPublicKey(Vector($"{party}-public.spki.b64"));
        using var pem = RsaKeys.ImportPublicKey(Vector($"{party}-public.pem"));

        PayerMaxSignature.Verify(spki, VectorBytes(body), Vector(signature)).ShouldBeTrue();
        PayerMaxSignature.Verify(pem, VectorBytes(body), Vector(signature)).ShouldBeTrue();
    }

    [Fact]
    public void Verify_OneByteChanged_Rejects()
    {
        using var key = RsaKeys.ImportPublicKey(Vector("merchant-public.spki.b64"));
        var body = VectorBytes("request-body.json");
        body[^3] ^= 1;

        PayerMaxSignature.Verify(key, body, Vector("request-body.sign")).ShouldBeFalse();
    }

    [Fact]
    public void Verify_ReserializedWithOtherSpacing_Rejects()
    {
        using var key = RsaKeys.ImportPublicKey(Vector("merchant-public.spki.b64"));
        var spaced = Encoding.UTF8.GetBytes(Vector("request-body.json").Replace(",\"", ", \"", StringComparison.Ordinal));

        PayerMaxSignature.Verify(key, spaced, Vector("request-body.sign")).ShouldBeFalse();
    }

    [Fact]
    public void Verify_OtherPartysKey_Rejects()
    {
        using var platform = RsaKeys.ImportPublicKey(Vector("platform-public.spki.b64"));

        PayerMaxSignature.Verify(platform, VectorBytes("request-body.json"), Vector("request-body.sign")).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Verify_MissingOrMalformedSignature_IsFalseNotException(string? signature)
    {
        using var key = RsaKeys.ImportPublicKey(Vector("merchant-public.spki.b64"));

        PayerMaxSignature.Verify(key, VectorBytes("request-body.json"), signature).ShouldBeFalse();
    }

    [Fact]
    public void ImportPrivateKey_Garbage_ThrowsFormatExceptionWithoutEchoingInput()
    {
        var ex = Should.Throw<FormatException>(() => RsaKeys.ImportPrivateKey("c2VjcmV0LWtleS1tYXRlcmlhbA=="));

        ex.Message.ShouldNotContain("c2VjcmV0");
    }
}
