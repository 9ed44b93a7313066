using System.Collections.Frozen;
using System.Security.Cryptography;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Core;

/// <summary>A merchant application and the public key it signs with for one key version.</summary>
internal sealed record MerchantApp(string AppId, string MerchantNo, string KeyVersion, RSA PublicKey, string? NotifyUrl, bool TokenizationNotifications, string? DefaultCountry, string? RefundNotifyUrl, string? DisputeNotifyUrl);

/// <summary>Merchant applications by (appId, keyVersion), loaded and checked once at start.</summary>
internal sealed class MerchantRegistry
{
    private readonly FrozenDictionary<string, FrozenDictionary<string, MerchantApp>> _byApp;

    public MerchantRegistry(IReadOnlyList<MerchantOptions> merchants)
    {
        var apps = new Dictionary<string, Dictionary<string, MerchantApp>>(StringComparer.Ordinal);
        for (var i = 0; i < merchants.Count; i++)
        {
            var m = merchants[i];
            var where = $"Gateway:Merchants:{i}";
            if (string.IsNullOrWhiteSpace(m.AppId) || string.IsNullOrWhiteSpace(m.MerchantNo) || string.IsNullOrWhiteSpace(m.PublicKey))
            {
                throw new GatewayConfigurationException($"{where} needs AppId, MerchantNo and PublicKey.");
            }

            RSA key;
            try
            {
                key = RsaKeys.ImportPublicKey(m.PublicKey);
            }
            catch (FormatException ex)
            {
                throw new GatewayConfigurationException($"{where}:PublicKey: {ex.Message}", ex);
            }

            var country = string.IsNullOrWhiteSpace(m.Country) ? null : m.Country.Trim().ToUpperInvariant();
            if (country is not null && !Protocol.Countries.IsKnown(country))
            {
                throw new GatewayConfigurationException($"{where}:Country must be an ISO 3166 alpha-2 code such as US.");
            }

            var versions = apps.TryGetValue(m.AppId, out var existing) ? existing : apps[m.AppId] = new(StringComparer.Ordinal);
            if (versions.Values.FirstOrDefault() is { } other && other.MerchantNo != m.MerchantNo)
            {
                throw new GatewayConfigurationException($"{where}: app {m.AppId} is already registered to another merchant.");
            }

            if (!versions.TryAdd(m.KeyVersion, new MerchantApp(m.AppId, m.MerchantNo, m.KeyVersion, key, m.NotifyUrl, m.TokenizationNotifications, country, m.RefundNotifyUrl, m.DisputeNotifyUrl)))
            {
                throw new GatewayConfigurationException($"{where}: app {m.AppId} key version {m.KeyVersion} is registered twice.");
            }
        }

        _byApp = apps.ToFrozenDictionary(a => a.Key, a => a.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public bool HasApp(string appId) => _byApp.ContainsKey(appId);

    /// <summary>Any registered version of the app (for settings shared by all its keys).</summary>
    public MerchantApp? FindApp(string appId) =>
        _byApp.TryGetValue(appId, out var versions) ? versions.Values.FirstOrDefault(v => v.NotifyUrl is not null) ?? versions.Values.FirstOrDefault() : null;

    public MerchantApp? Find(string appId, string keyVersion) =>
        _byApp.TryGetValue(appId, out var versions) && versions.TryGetValue(keyVersion, out var app) ? app : null;
}
