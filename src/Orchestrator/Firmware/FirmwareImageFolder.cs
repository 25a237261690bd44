using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Provisioning.Orchestrator.Firmware;

/// <summary>
/// The files of the configured image folder, looked up by bare file name only (no path, no "..", no hidden file), so a
/// URL can never name anything outside it. Also gives an image's size and SHA-256, computed once per file version.
/// </summary>
public sealed class FirmwareImageFolder(IOptions<FirmwareImageOptions> options)
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime Written, string Sha256)> _digests = new(StringComparer.Ordinal);

    public bool Serving => options.Value.Serving;

    /// <summary>The file called <paramref name="fileName"/> in the folder, or null when it is not a servable name or not there.</summary>
    public FileInfo? Find(string fileName)
    {
        if (!Serving || !IsImageName(fileName)) return null;
        var folder = Path.GetFullPath(options.Value.ImageFolder!);
        var file = new FileInfo(Path.Combine(folder, fileName));
        // The name check keeps the path inside the folder; a symbolic link out of it is not served either.
        if (!file.Exists || file.LinkTarget is not null || !string.Equals(file.DirectoryName, folder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            return null;
        return file;
    }

    /// <summary>A plain file name: at most 255 characters, no separator, no control character, not "." / ".." or hidden.</summary>
    public static bool IsImageName(string? fileName) =>
        fileName is { Length: > 0 and <= 255 }
        && fileName[0] != '.'
        && fileName.IndexOfAny(['/', '\\', ':']) < 0
        && !fileName.Any(char.IsControl);

    /// <summary>Lower-case hex SHA-256 of the file, read again only when its size or write time changed.</summary>
    public async Task<string> Sha256Async(FileInfo file, CancellationToken cancellationToken)
    {
        file.Refresh();
        if (_digests.TryGetValue(file.FullName, out var known) && known.Length == file.Length && known.Written == file.LastWriteTimeUtc)
            return known.Sha256;
        await using var stream = file.OpenRead();
        var digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        _digests[file.FullName] = (file.Length, file.LastWriteTimeUtc, digest);
        return digest;
    }
}
