using System.Diagnostics;
using System.Security.Cryptography;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>
/// Who may do what on the local broker (TR-369 R-MQTT: an agent publishes to the controller and receives on its own
/// topic only): the controller logs in with a user of its own (a password generated at start unless Usp:Mqtt:Username /
/// Password are set), every other client is an agent whose client ID is its endpoint ID and who may read only
/// <c>usp/agent/&lt;client id&gt;</c> (and below it) and write only to the controller's topic. A client that gives a
/// username other than the controller's is refused by the broker.
/// </summary>
/// <remarks>
/// What this does not do: agents are still anonymous to the broker (their own broker passwords would need mosquitto's
/// PBKDF2 hashes, and the inventory keeps only a salted SHA-256 verifier), so the client ID is the agent's word, and an
/// agent may still publish a record naming another endpoint ID to the controller's topic.
/// </remarks>
internal sealed record LocalBrokerAccess(string ControllerUsername, string ControllerPassword, string ControllerTopic)
{
    public static LocalBrokerAccess Generate(string controllerTopic, string? username, string? password) =>
        new(string.IsNullOrEmpty(username) ? "usp-controller" : username,
            string.IsNullOrEmpty(password) ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) : password,
            controllerTopic);

    /// <summary>The mosquitto ACL file's text.</summary>
    public string AclFile() => $"""
        # Every client (anonymous agents): its own topic, named by its client ID, and the controller's topic to publish to.
        pattern read usp/agent/%c
        pattern read usp/agent/%c/#
        pattern write {ControllerTopic}
        pattern write {ControllerTopic}/#

        user {ControllerUsername}
        topic read {ControllerTopic}
        topic read {ControllerTopic}/#
        topic write usp/agent/#

        """;

    /// <summary>
    /// Writes the password file with mosquitto_passwd (mosquitto hashes with its own PBKDF2 format); false when the tool
    /// is not installed.
    /// </summary>
    public async Task<bool> WritePasswordFileAsync(string path, CancellationToken cancellationToken)
    {
        if (PasswdExecutable() is not { } passwd) return false;
        // -U reads "user:password" lines from the file and hashes them in place: the password never is an argument
        // (visible in the process list).
        await File.WriteAllTextAsync(path, $"{ControllerUsername}:{ControllerPassword}\n", cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            // Started as root, mosquitto drops to its own user before it reads the file: it must be able to. What it
            // then holds is a PBKDF2 hash of a random 32-character password, not the password.
            var asRoot = Environment.UserName == "root";
            File.SetUnixFileMode(path, asRoot ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
                : UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (asRoot) File.SetUnixFileMode(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        using var process = Process.Start(new ProcessStartInfo(passwd, ["-U", path])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto_passwd did not start");
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0) throw new InvalidOperationException($"mosquitto_passwd exited with {process.ExitCode}");
        return true;
    }

    private static string? PasswdExecutable()
    {
        string[] candidates = ["/usr/bin/mosquitto_passwd", "/usr/sbin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd"];
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(p => Path.Combine(p, "mosquitto_passwd"));
        return candidates.Concat(fromPath).FirstOrDefault(File.Exists);
    }
}
