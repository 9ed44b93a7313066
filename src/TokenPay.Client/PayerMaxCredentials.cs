using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TokenPay.Protocol.Signing;

namespace TokenPay.Client;

/// <summary>The parsed keys of a client, loaded once (parsing RSA keys per call would cost more than signing).</summary>
public sealed class PayerMaxCredentials : IDisposable
{
    /// <summary>Parses the keys in <paramref name="options"/>.</summary>
    public PayerMaxCredentials(IOptions<PayerMaxClientOptions> options)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    /// <summary>Parses the keys in <paramref name="options"/>.</summary>
    public PayerMaxCredentials(PayerMaxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new PayerMaxClientOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(PayerMaxClientOptions.Section, typeof(PayerMaxClientOptions), validation.Failures);
        }

        Options = options;
        MerchantKey = RsaKeys.ImportPrivateKey(options.MerchantPrivateKey);
        PlatformKey = RsaKeys.ImportPublicKey(options.PlatformPublicKey);
    }

    /// <summary>The options the keys came from.</summary>
    public PayerMaxClientOptions Options { get; }

    internal RSA MerchantKey { get; }

    internal RSA PlatformKey { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        MerchantKey.Dispose();
        PlatformKey.Dispose();
    }
}
