using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Transport.Mqtt;

/// <summary>
/// The run command's default broker: with MQTT enabled and no broker configured, a private mosquitto (Debian's MQTT 5
/// broker) on 127.0.0.1 at the default broker URL's port, unless something already listens there. Started before the
/// MQTT transport, stopped with the host.
/// </summary>
internal sealed class LocalBroker(Uri brokerUrl, ILogger<LocalBroker> logger) : IHostedService, IDisposable
{
    private Process? _process;
    private string? _folder;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = brokerUrl.Port > 0 ? brokerUrl.Port : 1883;
        if (await AcceptsAsync(port).ConfigureAwait(false))
        {
            UspLog.LocalBroker(logger, "already listening", port);
            return;
        }
        var executable = Executable();
        if (executable is null)
        {
            UspLog.LocalBrokerMissing(logger, port);
            return; // the transport keeps retrying: an operator may start a broker later
        }
        _folder = Directory.CreateTempSubdirectory("usp-mosquitto-").FullName;
        var config = Path.Combine(_folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            protocol mqtt
            allow_anonymous true
            persistence false
            log_dest stderr
            log_type error
            max_queued_messages 100000
            """, cancellationToken).ConfigureAwait(false);
        _process = Process.Start(new ProcessStartInfo(executable, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        });
        if (_process is null) return;
        _process.ErrorDataReceived += (_, line) => { if (!string.IsNullOrWhiteSpace(line.Data)) UspLog.LocalBrokerSaid(logger, line.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!_process.HasExited && DateTime.UtcNow < until && !await AcceptsAsync(port).ConfigureAwait(false))
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        UspLog.LocalBroker(logger, _process.HasExited ? $"exited with {_process.ExitCode}" : "started (mosquitto)", port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    public void Dispose() => _process?.Dispose();

    private static string? Executable()
    {
        string[] candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto"];
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(p => Path.Combine(p, "mosquitto"));
        return candidates.Concat(fromPath).FirstOrDefault(File.Exists);
    }

    private static async Task<bool> AcceptsAsync(int port)
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
}
