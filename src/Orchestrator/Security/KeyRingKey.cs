using System.Security.Cryptography;

namespace Provisioning.Orchestrator.Security;

/// <summary>
/// The key that encrypts the Data Protection key ring when no certificate is configured. It is kept outside the
/// database (a 256-bit key in an owner-only file generated at first start beside keys.json, or given as base64 in
/// "DataProtection:Key"), so a database dump alone decrypts nothing. Every orchestrator instance needs the same key.
/// </summary>
public sealed class KeyRingKey
{
    public const string KeySetting = "DataProtection:Key";
    public const string FileSetting = "DataProtection:KeyFile";
    public const string DefaultFileName = "keyring.key";

    private KeyRingKey(byte[] value, string source)
    {
        Value = value;
        Source = source;
        Id = Convert.ToHexStringLower(SHA256.HashData(value))[..12];
    }

    public byte[] Value { get; }
    /// <summary>Names the key in the stored XML (never the key): which key a ciphertext needs.</summary>
    public string Id { get; }
    /// <summary>Where the key came from (a path or the setting's name), for the start-up log.</summary>
    public string Source { get; }

    public static KeyRingKey From(IConfiguration configuration)
    {
        if (configuration[KeySetting] is { Length: > 0 } given)
        {
            var bytes = Convert.FromBase64String(given);
            if (bytes.Length != 32) throw new InvalidOperationException($"{KeySetting} must be 32 bytes in base64 (it is {bytes.Length})");
            return new KeyRingKey(bytes, KeySetting);
        }
        var keysFile = configuration[GeneratedKeys.FileSetting] ?? GeneratedKeys.DefaultFile;
        var path = Path.GetFullPath(configuration[FileSetting] ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(keysFile))!, DefaultFileName));
        return new KeyRingKey(LoadOrCreate(path), path);
    }

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path)) return Read(path);
        var key = RandomNumberGenerator.GetBytes(32);
        // Another process starting at the same moment may have created it first: use theirs, so both read one key ring.
        return OwnerOnlyFile.TryCreate(path, Convert.ToBase64String(key)) ? key : Read(path);
    }

    private static byte[] Read(string path) =>
        OwnerOnlyFile.ReadWhole(path, KeyIn) ?? throw new InvalidOperationException($"{path} does not hold a 32-byte key in base64");

    private static byte[]? KeyIn(string text)
    {
        var bytes = new byte[32];
        return Convert.TryFromBase64String(text.Trim(), bytes, out var written) && written == 32 ? bytes : null;
    }
}
