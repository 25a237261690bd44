using System.Diagnostics;
using System.Net.Sockets;

namespace Provisioning.Launcher.Broker;

/// <summary>
/// A private mosquitto (Debian's MQTT 5 broker) on 127.0.0.1 with a generated configuration in a folder of its own:
/// the run command's local broker and the tests' broker.
/// </summary>
internal sealed class MosquittoProcess : IAsyncDisposable
{
    private const string PasswordFileName = "passwords";
    private const string AclFileName = "acl";
    private readonly Process _process;
    private readonly string _folder;
    private readonly LocalBrokerAccess? _access;

    private MosquittoProcess(Process process, string folder, LocalBrokerAccess? access)
    {
        _process = process;
        _folder = folder;
        _access = access;
    }

    /// <summary>The mosquitto binary (Debian installs it in /usr/sbin), or null when it is not installed.</summary>
    public static string? Executable()
    {
        string[] candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto"];
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(p => Path.Combine(p, "mosquitto"));
        return candidates.Concat(fromPath).FirstOrDefault(File.Exists);
    }

    public static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts it on the port and returns once it accepts connections; throws when it exits or never listens.</summary>
    /// <param name="access">Who may use which topics (the run command's broker); null: every client everything (tests' broker).</param>
    /// <param name="agents">The agents' logins to start with (more come with <see cref="ReloadAsync"/>).</param>
    public static async Task<MosquittoProcess> StartAsync(string executable, int port, Action<string>? onError, CancellationToken cancellationToken,
        LocalBrokerAccess? access = null, IReadOnlyList<BrokerLogin>? agents = null)
    {
        var folder = Directory.CreateTempSubdirectory("usp-mosquitto-").FullName;
        var config = Path.Combine(folder, "mosquitto.conf");
        var accessLines = "allow_anonymous true\n";
        if (access is not null)
        {
            await WriteAccessAsync(folder, access, agents ?? [], cancellationToken).ConfigureAwait(false);
            accessLines = $"password_file {Path.Combine(folder, PasswordFileName)}\nacl_file {Path.Combine(folder, AclFileName)}\n"
                + (access.AllowAnonymousAgents
                    ? "allow_anonymous true\n"
                    // Every client has a login: the broker takes its username as its client ID, so an agent cannot take over
                    // (disconnect) another's session by naming that agent's client ID.
                    : "allow_anonymous false\nuse_username_as_clientid true\n");
        }
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            protocol mqtt
            persistence false
            log_dest stderr
            log_type error
            max_queued_messages 100000
            {accessLines}
            """, cancellationToken).ConfigureAwait(false);
        var process = Process.Start(new ProcessStartInfo(executable, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        process.ErrorDataReceived += (_, line) => { if (!string.IsNullOrWhiteSpace(line.Data)) onError?.Invoke(line.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var broker = new MosquittoProcess(process, folder, access);

        var until = DateTime.UtcNow.AddSeconds(10);
        while (!await AcceptsAsync(port).ConfigureAwait(false))
        {
            if (process.HasExited || DateTime.UtcNow > until)
            {
                var why = process.HasExited ? $"exited with {process.ExitCode}" : "did not listen within 10 s";
                await broker.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"mosquitto {why} (port {port})");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
        return broker;
    }

    /// <summary>
    /// Rewrites the password and ACL files for these agents and has mosquitto read them again (SIGHUP: mosquitto
    /// re-reads both without dropping connections). False when there is nothing to reload or it cannot be signalled.
    /// </summary>
    public async Task<bool> ReloadAsync(IReadOnlyList<BrokerLogin> agents, CancellationToken cancellationToken)
    {
        if (_access is null || _process.HasExited) return false;
        await WriteAccessAsync(_folder, _access, agents, cancellationToken).ConfigureAwait(false);
        return Hangup.Send(_process.Id);
    }

    private static async Task WriteAccessAsync(string folder, LocalBrokerAccess access, IReadOnlyList<BrokerLogin> agents, CancellationToken cancellationToken)
    {
        await BrokerFile.ReplaceAsync(Path.Combine(folder, PasswordFileName), access.PasswordFileText(agents), cancellationToken).ConfigureAwait(false);
        await BrokerFile.ReplaceAsync(Path.Combine(folder, AclFileName), access.AclFileText(agents), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
