using System.Security.Cryptography;
using System.Text.Json;
using TokenPay.Protocol.Signing;

namespace TokenPay.Sandbox;

/// <summary>The sandbox merchant's identity and the key pairs of both sides, made on the first run and kept for the next.</summary>
internal sealed record SandboxKeys(string AppId, string MerchantNo, string MerchantPrivateKey, string MerchantPublicKey, string PlatformPrivateKey, string PlatformPublicKey)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<SandboxKeys> LoadOrCreateAsync(string path)
    {
        if (File.Exists(path))
        {
            return JsonSerializer.Deserialize<SandboxKeys>(await File.ReadAllTextAsync(path))!;
        }

        using var merchant = RSA.Create(2048);
        using var platform = RSA.Create(2048);
        var keys = new SandboxKeys(
            "sandboxapp" + RandomNumberGenerator.GetHexString(22, lowercase: true),
            "SANDBOX" + RandomNumberGenerator.GetString("0123456789", 9),
            RsaKeys.ExportPrivateKey(merchant),
            RsaKeys.ExportPublicKey(merchant),
            RsaKeys.ExportPrivateKey(platform),
            RsaKeys.ExportPublicKey(platform));
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(keys, Indented));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return keys;
    }
}
