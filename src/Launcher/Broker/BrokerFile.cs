namespace Provisioning.Launcher.Broker;

/// <summary>The local broker's password and ACL files, written so that mosquitto can read them at any moment.</summary>
internal static class BrokerFile
{
    /// <summary>
    /// Replaces the file in one step (a new file moved over the old), so mosquitto reloading at any moment reads either the
    /// old logins or the new, never half a file.
    /// </summary>
    public static async Task ReplaceAsync(string path, string text, CancellationToken cancellationToken)
    {
        var next = path + ".next";
        await File.WriteAllTextAsync(next, text, cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            // Started as root, mosquitto drops to its own user before it reads the file: it must be able to. What it
            // reads are PBKDF2 hashes and topic names, no password.
            var asRoot = Environment.UserName == "root";
            File.SetUnixFileMode(next, asRoot ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
                : UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (asRoot) File.SetUnixFileMode(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        File.Move(next, path, overwrite: true);
    }
}
