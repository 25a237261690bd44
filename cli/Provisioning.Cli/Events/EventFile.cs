using System.Text;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Events;

/// <summary>An export file on disk: read back, and prepared for appending on --resume.</summary>
public static class EventFile
{
    public static IReadOnlyList<ProvisioningEvent> ReadAll(string path, EventFormat format)
    {
        using var reader = File.OpenText(path);
        return EventFormats.Read(format, reader).ToList();
    }

    /// <summary>
    /// The last global position written to <paramref name="path"/>, or null when the file is missing or
    /// holds no event. A last line cut short (the previous run was killed mid-write) is removed first so
    /// that appending continues on a clean line; that event is then written again.
    /// </summary>
    public static long? PrepareResume(string path, EventFormat format)
    {
        if (!File.Exists(path)) return null;
        TruncateIncompleteLastLine(path);
        using var reader = File.OpenText(path);
        ProvisioningEvent? last = null;
        foreach (var e in EventFormats.Read(format, reader)) last = e;
        return last?.GlobalPosition;
    }

    /// <summary>Whether a CSV header must be written (new or empty file).</summary>
    public static bool IsEmpty(string path) => !File.Exists(path) || new FileInfo(path).Length == 0;

    private static void TruncateIncompleteLastLine(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        if (stream.Length == 0) return;
        // Exports are written one record per line ("\n"), and no field holds a raw newline
        // (JSON escapes it), so the last '\n' ends the last complete record.
        var position = stream.Length;
        var buffer = new byte[4096];
        while (position > 0)
        {
            var chunk = (int)Math.Min(buffer.Length, position);
            position -= chunk;
            stream.Position = position;
            stream.ReadExactly(buffer, 0, chunk);
            var newline = Array.LastIndexOf(buffer, (byte)'\n', chunk - 1, chunk);
            if (newline >= 0)
            {
                stream.SetLength(position + newline + 1);
                return;
            }
        }
        stream.SetLength(0);
    }

    public static StreamWriter OpenForWriting(string path, bool append)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        return new StreamWriter(path, append, new UTF8Encoding(false)) { NewLine = "\n" };
    }
}
