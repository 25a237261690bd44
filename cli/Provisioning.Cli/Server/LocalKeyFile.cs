using System.Text.Json;

namespace Provisioning.Cli.Server;

/// <summary>
/// An orchestrator started with no keys configured generates an admin key into .data/keys.json under its working
/// folder (readable only by its owner; `./scripts/run.sh` runs the launcher in src/Launcher). From the
/// repository root or that folder, cpe uses that key when no --token or CPE_TOKEN is given, so a newcomer's
/// `cpe demo` works right after starting the orchestrator.
/// </summary>
public static class LocalKeyFile
{
    public const string PathVariable = "CPE_KEY_FILE";
    public const string DefaultPath = ".data/keys.json";
    private static readonly string[] DefaultPaths = [DefaultPath, "src/Launcher/.data/keys.json", "src/Orchestrator/.data/keys.json"];

    public static string? AdminKey(Func<string, string?> environment)
    {
        var path = environment(PathVariable) is { Length: > 0 } configured ? configured : DefaultPaths.FirstOrDefault(File.Exists);
        try
        {
            if (path is null || !File.Exists(path)) return null;
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.TryGetProperty("AdminKey", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // Someone else's file or not ours to read: behave as if there were none.
            return null;
        }
    }
}
