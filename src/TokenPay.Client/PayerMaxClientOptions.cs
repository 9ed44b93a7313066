using Microsoft.Extensions.Options;
using TokenPay.Protocol.Signing;

namespace TokenPay.Client;

/// <summary>Which PayerMax gateway to talk to.</summary>
public enum PayerMaxEnvironment
{
    /// <summary>PayerMax's test environment, <c>https://pay-gate-uat.payermax.com</c>.</summary>
    Uat,

    /// <summary>PayerMax production, <c>https://pay-gate.payermax.com</c>.</summary>
    Production,

    /// <summary>Any other compatible gateway (a TokenPay gateway, a proxy): set <see cref="PayerMaxClientOptions.BaseUrl"/>.</summary>
    Custom,
}

/// <summary>Settings of a <see cref="PayerMaxClient"/>. Bind from configuration or set in code; validated at start.</summary>
public sealed class PayerMaxClientOptions
{
    /// <summary>The usual configuration section name.</summary>
    public const string Section = "PayerMax";

    /// <summary>Which gateway; <see cref="PayerMaxEnvironment.Custom"/> needs <see cref="BaseUrl"/>.</summary>
    public PayerMaxEnvironment Environment { get; set; } = PayerMaxEnvironment.Uat;

    /// <summary>Gateway base URL (scheme, host, optional path prefix). Overrides <see cref="Environment"/> when set.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The merchant application id PayerMax issued (at most 64 characters).</summary>
    public string AppId { get; set; } = "";

    /// <summary>The merchant number PayerMax issued (at most 32 characters).</summary>
    public string MerchantNo { get; set; } = "";

    /// <summary>The merchant's RSA-2048 private key: base64 PKCS#8 DER (PKCS#1 accepted) or PEM. Never logged.</summary>
    public string MerchantPrivateKey { get; set; } = "";

    /// <summary>PayerMax's (or the gateway's) public key: base64 SubjectPublicKeyInfo DER or PEM.</summary>
    public string PlatformPublicKey { get; set; } = "";

    /// <summary>Which of the merchant's registered keys signs requests.</summary>
    public string KeyVersion { get; set; } = "1";

    /// <summary>Time limit of one HTTP attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra attempts for calls that are safe to repeat (queries, token inquiry and removal) after a transient failure.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Largest notification body the endpoint helper reads.</summary>
    public int MaxNotificationBytes { get; set; } = 256 * 1024;

    /// <summary>The base URL requests go to.</summary>
    public Uri EffectiveBaseUrl => BaseUrl ?? Environment switch
    {
        PayerMaxEnvironment.Uat => new Uri("https://pay-gate-uat.payermax.com/"),
        PayerMaxEnvironment.Production => new Uri("https://pay-gate.payermax.com/"),
        _ => throw new InvalidOperationException("PayerMax:BaseUrl is required when Environment is Custom."),
    };
}

/// <summary>Checks <see cref="PayerMaxClientOptions"/> with messages that name the setting and never echo a key.</summary>
public sealed class PayerMaxClientOptionsValidator : IValidateOptions<PayerMaxClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PayerMaxClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Environment == PayerMaxEnvironment.Custom && options.BaseUrl is null)
        {
            failures.Add("PayerMax:BaseUrl is required when Environment is Custom.");
        }

        if (options.BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add("PayerMax:BaseUrl must be an absolute http(s) URL.");
        }

        Text(options.AppId, "AppId", 64, failures);
        Text(options.MerchantNo, "MerchantNo", 32, failures);
        Text(options.KeyVersion, "KeyVersion", 8, failures);
        Key(() => RsaKeys.ImportPrivateKey(options.MerchantPrivateKey), options.MerchantPrivateKey, "MerchantPrivateKey", failures);
        Key(() => RsaKeys.ImportPublicKey(options.PlatformPublicKey), options.PlatformPublicKey, "PlatformPublicKey", failures);
        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add("PayerMax:Timeout must be positive.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add("PayerMax:MaxRetries must be between 0 and 10.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Text(string? value, string name, int max, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"PayerMax:{name} is required.");
        }
        else if (value.Length > max)
        {
            failures.Add($"PayerMax:{name} must be at most {max} characters.");
        }
    }

    private static void Key(Func<System.Security.Cryptography.RSA> import, string? value, string name, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"PayerMax:{name} is required.");
            return;
        }

        try
        {
            import().Dispose();
        }
        catch (FormatException ex)
        {
            failures.Add($"PayerMax:{name}: {ex.Message}");
        }
    }
}
