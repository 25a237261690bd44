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
        if (File.Exists(path))
        {
            var stored = JsonSerializer.Deserialize<GeneratedKeys>(File.ReadAllText(path));
            if (stored is { AdminKey.Length: > 0, InternalKey.Length: > 0 }) return (stored, false);
        }
        var keys = new GeneratedKeys(NewKey(), NewKey());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(path, options))
        {
            JsonSerializer.Serialize(file, keys, new JsonSerializerOptions { WriteIndented = true });
        }
        return (keys, true);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private bool PrintMembers(System.Text.StringBuilder builder) => false;
}
