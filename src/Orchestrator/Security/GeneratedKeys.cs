using System.Security.Cryptography;
using System.Text.Json;

namespace Provisioning.Orchestrator.Security;

/// <summary>
/// The embedded default's credentials: with no keys configured, an admin key and an internal key are generated at first
/// start and kept in a file (default .data/keys.json, readable only by the owner) so they survive restarts.
/// </summary>
public sealed record GeneratedKeys(string AdminKey, string InternalKey)
{
    public const string FileSetting = "Auth:KeyFile";
    public const string DefaultFile = ".data/keys.json";

    public static (GeneratedKeys Keys, bool Created) LoadOrCreate(string path)
    {
        var keys = new GeneratedKeys(NewKey(), NewKey());
        var text = JsonSerializer.Serialize(keys, new JsonSerializerOptions { WriteIndented = true });
        if (!File.Exists(path) && OwnerOnlyFile.TryCreate(path, text)) return (keys, true);
        // Ours lost the race, or the file was there: read it once whole; a file that holds no usable keys is replaced.
        if (OwnerOnlyFile.ReadWhole(path, KeysIn) is { } stored) return (stored, false);
        OwnerOnlyFile.Replace(path, text);
        return (keys, true);
    }

    private static GeneratedKeys? KeysIn(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<GeneratedKeys>(text) is { AdminKey.Length: > 0, InternalKey.Length: > 0 } stored ? stored : null;
        }
        catch (JsonException)
        {
            return null; // empty while its writer is at it, or not ours
        }
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private bool PrintMembers(System.Text.StringBuilder builder) => false;
}
