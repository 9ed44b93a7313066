using System.Security.Cryptography;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Gateway.Vault;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Hosting;

/// <summary>
/// The platform signing key and the vault keys: from configuration when given, otherwise generated on
/// the first start and kept in the database so a local gateway keeps working across restarts.
/// </summary>
internal sealed record GatewaySecrets(RSA PlatformKey, CardVault Vault, bool PlatformKeyGenerated, bool VaultKeyGenerated)
{
    private const string PlatformKeySetting = "platform.private-key";
    private const string LocalVaultKeySetting = "vault.key.local";
    private const string LocalVaultKeyId = "local";
    private const string FingerprintKeySetting = "vault.fingerprint-key";

    public static async Task<GatewaySecrets> LoadAsync(GatewayOptions options, SettingsStore settings, CancellationToken cancellationToken)
    {
        var platformText = options.PlatformPrivateKey;
        var platformGenerated = string.IsNullOrWhiteSpace(platformText);
        if (platformGenerated)
        {
            using var fresh = RSA.Create(2048);
            platformText = await settings.GetOrAddAsync(PlatformKeySetting, RsaKeys.ExportPrivateKey(fresh), cancellationToken);
        }

        RSA platformKey;
        try
        {
            platformKey = RsaKeys.ImportPrivateKey(platformText!);
        }
        catch (FormatException ex)
        {
            throw new GatewayConfigurationException($"Gateway:PlatformPrivateKey: {ex.Message}", ex);
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < options.Vault.Keys.Count; i++)
        {
            var key = options.Vault.Keys[i];
            if (string.IsNullOrWhiteSpace(key.Id))
            {
                throw new GatewayConfigurationException($"Gateway:Vault:Keys:{i}:Id is required.");
            }

            keys[key.Id] = Key32(key.Key, $"Gateway:Vault:Keys:{i}:Key");
        }

        var vaultGenerated = keys.Count == 0;
        var localKey = vaultGenerated
            ? await settings.GetOrAddAsync(LocalVaultKeySetting, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), cancellationToken)
            : await settings.GetAsync(LocalVaultKeySetting, cancellationToken);
        if (localKey is not null)
        {
            // Cards sealed before keys were configured stay readable.
            keys.TryAdd(LocalVaultKeyId, Convert.FromBase64String(localKey));
        }

        var activeKeyId = options.Vault.ActiveKeyId
            ?? (vaultGenerated ? LocalVaultKeyId : options.Vault.Keys.Count == 1 ? options.Vault.Keys[0].Id! : null)
            ?? throw new GatewayConfigurationException("Gateway:Vault:ActiveKeyId is required when several vault keys are configured.");
        if (!keys.ContainsKey(activeKeyId))
        {
            throw new GatewayConfigurationException($"Gateway:Vault:ActiveKeyId '{activeKeyId}' names no configured key.");
        }

        var fingerprintKey = string.IsNullOrWhiteSpace(options.Vault.FingerprintKey)
            ? Convert.FromBase64String(await settings.GetOrAddAsync(FingerprintKeySetting, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), cancellationToken))
            : Key32(options.Vault.FingerprintKey, "Gateway:Vault:FingerprintKey");

        return new GatewaySecrets(platformKey, new CardVault(keys, activeKeyId, fingerprintKey), platformGenerated, vaultGenerated);
    }

    private static byte[] Key32(string? base64, string where)
    {
        // Room for more than 32 bytes, so a longer key is reported rather than truncated.
        var bytes = new byte[48];
        if (string.IsNullOrWhiteSpace(base64) || !Convert.TryFromBase64String(base64.Trim(), bytes, out var length) || length != 32)
        {
            throw new GatewayConfigurationException($"{where} must be base64 of exactly 32 bytes.");
        }

        return bytes[..32];
    }
}
