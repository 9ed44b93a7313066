using System.Security.Cryptography;
using System.Text.Json;
using TokenPay.Protocol.Signing;

namespace TokenPay.Sandbox;

/// <summary>
/// The sandbox merchant's identity, the key pairs of both sides and the merchant's operator credentials
/// (API key, and the operator password the sandbox prints; the merchant service gets only its hash),
/// made on the first run and kept for the next.
/// </summary>
internal sealed record SandboxKeys(string AppId, string MerchantNo, string MerchantPrivateKey, string MerchantPublicKey, string PlatformPrivateKey, string PlatformPublicKey)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string? OperatorApiKey { get; init; }

    public string? OperatorPassword { get; init; }

    public static async Task<SandboxKeys> LoadOrCreateAsync(string path)
    {
        if (File.Exists(path))
        {
            var kept = JsonSerializer.Deserialize<SandboxKeys>(await File.ReadAllTextAsync(path))!;
            if (kept.OperatorApiKey is null || kept.OperatorPassword is null)
            {
                // Made by an earlier version: add the operator credentials.
                kept = kept with { OperatorApiKey = NewSecret(), OperatorPassword = NewSecret()[..16] };
                await SaveAsync(path, kept);
            }

            return kept;
        }

        using var merchant = RSA.Create(2048);
        using var platform = RSA.Create(2048);
        var keys = new SandboxKeys(
            "sandboxapp" + RandomNumberGenerator.GetHexString(22, lowercase: true),
            "SANDBOX" + RandomNumberGenerator.GetString("0123456789", 9),
            RsaKeys.ExportPrivateKey(merchant),
            RsaKeys.ExportPublicKey(merchant),
            RsaKeys.ExportPrivateKey(platform),
            RsaKeys.ExportPublicKey(platform))
        {
            OperatorApiKey = NewSecret(),
            OperatorPassword = NewSecret()[..16],
        };
        await SaveAsync(path, keys);
        return keys;
    }

    private static string NewSecret() => RandomNumberGenerator.GetHexString(40, lowercase: true);

    private static async Task SaveAsync(string path, SandboxKeys keys)
    {
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(keys, Indented));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
