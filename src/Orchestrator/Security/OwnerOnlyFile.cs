namespace Provisioning.Orchestrator.Security;

/// <summary>
/// A generated secret file that instances starting at once over one data folder (or test hosts over one bin folder)
/// agree on: the one whose exclusive create wins writes it, the others read it once it is whole. They used to read the
/// file another had created but not yet written, and failed on an empty key. (File.Move without overwrite is a check and
/// a rename on Unix, so a temporary-file-and-rename does not pick one winner.)
/// </summary>
internal static class OwnerOnlyFile
{
    private static readonly TimeSpan WholeWithin = TimeSpan.FromSeconds(2);

    /// <summary>Creates <paramref name="path"/> with <paramref name="text"/>; false when another writer created it first.</summary>
    public static bool TryCreate(string path, string text) => Write(path, text, FileMode.CreateNew);

    /// <summary>Replaces whatever is at <paramref name="path"/> (a file that held nothing usable).</summary>
    public static void Replace(string path, string text) => Write(path, text, FileMode.Create);

    /// <summary>The file's content once <paramref name="parse"/> accepts it (its writer may still be at it), else null.</summary>
    public static T? ReadWhole<T>(string path, Func<string, T?> parse) where T : class
    {
        var until = DateTime.UtcNow + WholeWithin;
        while (true)
        {
            if (parse(File.ReadAllText(path)) is { } value) return value;
            if (DateTime.UtcNow > until) return null;
            Thread.Sleep(20);
        }
    }

    private static bool Write(string path, string text, FileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var file = new FileStream(path, options);
            using var writer = new StreamWriter(file);
            writer.Write(text);
            return true;
        }
        catch (IOException) when (mode == FileMode.CreateNew && File.Exists(path))
        {
            return false;
        }
    }
}
