using System.Diagnostics;
using System.Net.Sockets;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>
/// A private mosquitto (Debian's MQTT 5 broker) on 127.0.0.1 with a generated configuration in a folder of its own:
/// the run command's local broker and the tests' broker.
/// </summary>
internal sealed class MosquittoProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private MosquittoProcess(Process process, string folder)
    {
        _process = process;
        _folder = folder;
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
    public static async Task<MosquittoProcess> StartAsync(string executable, int port, Action<string>? onError, CancellationToken cancellationToken,
        LocalBrokerAccess? access = null)
    {
        var folder = Directory.CreateTempSubdirectory("usp-mosquitto-").FullName;
        var config = Path.Combine(folder, "mosquitto.conf");
        var accessLines = "";
        if (access is not null)
        {
            var acl = Path.Combine(folder, "acl");
            await File.WriteAllTextAsync(acl, access.AclFile(), cancellationToken).ConfigureAwait(false);
            var passwords = Path.Combine(folder, "passwords");
            if (!await access.WritePasswordFileAsync(passwords, cancellationToken).ConfigureAwait(false))
                throw new InvalidOperationException("mosquitto_passwd is not installed: the local broker cannot keep agents to their own topics");
            accessLines = $"password_file {passwords}\nacl_file {acl}\n";
        }
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            protocol mqtt
            allow_anonymous true
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
        var broker = new MosquittoProcess(process, folder);

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
