using System.Diagnostics;
using System.Net.Sockets;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>A private mosquitto (Debian's MQTT 5 broker) on a free loopback port with a generated configuration.</summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private MosquittoBroker(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Url = new Uri($"mqtt://127.0.0.1:{port}");
    }

    public Uri Url { get; }

    public static string FindExecutable()
    {
        string[] candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto"];
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, "mosquitto"));
        return candidates.Concat(fromPath).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto is not installed: the USP MQTT tests need Debian's broker (apt-get install -y mosquitto)");
    }

    public static async Task<MosquittoBroker> StartAsync()
    {
        var executable = FindExecutable();
        var port = FreePort.Next();
        var folder = Directory.CreateTempSubdirectory("usp-mosquitto-").FullName;
        var config = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            protocol mqtt
            allow_anonymous true
            persistence false
            log_dest stderr
            log_type error
            max_queued_messages 100000
            """);
        var process = Process.Start(new ProcessStartInfo(executable, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"mosquitto exited with {process.ExitCode} (config {config})");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
        return new MosquittoBroker(process, folder, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
