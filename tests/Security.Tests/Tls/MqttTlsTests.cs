using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Usp;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Tls;

/// <summary>The USP controller's MQTT client over TLS to a mosquitto listener that only speaks TLS (cafile/certfile/keyfile).</summary>
public sealed class MqttTlsTests : IAsyncLifetime
{
    private readonly TestCertificates _pki = new();
    private Process _broker = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        // mosquitto may drop to its own user before reading the certificates.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_pki.Folder, (UnixFileMode)0b111_101_101);
            foreach (var file in Directory.GetFiles(_pki.Folder)) File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        }
        var config = Path.Combine(_pki.Folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {_port} 127.0.0.1
            protocol mqtt
            cafile {_pki.CaPath}
            certfile {_pki.CertificatePath}
            keyfile {_pki.KeyPath}
            allow_anonymous true
            persistence false
            log_dest stderr
            log_type error
            """);
        _broker = Process.Start(new ProcessStartInfo(FindMosquitto(), ["-c", config])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        })!;
        _broker.BeginErrorReadLine();
        _broker.BeginOutputReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (_broker.HasExited) throw new InvalidOperationException($"mosquitto exited with {_broker.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", _port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (!_broker.HasExited)
        {
            _broker.Kill();
            await _broker.WaitForExitAsync();
        }
        _broker.Dispose();
        _pki.Dispose();
    }

    private static string FindMosquitto() =>
        new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install -y mosquitto)");

    private async Task<CapturedLogs> RunControllerAsync(string? caPath, TimeSpan wait)
    {
        var logs = new CapturedLogs();
        var settings = new Dictionary<string, string?>
        {
            ["Usp:WebSocketUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Usp:GrpcUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Usp:OrchestratorUrl"] = "http://127.0.0.1:1",
            ["Usp:Mqtt:Enabled"] = "true",
            ["Usp:Mqtt:BrokerUrl"] = $"mqtts://127.0.0.1:{_port}",
            ["Usp:Mqtt:Tls:CaPath"] = caPath,
            ["Logging:LogLevel:Default"] = "Information",
        };
        await using var controller = UspAdapterApplication.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.AddProvider(logs);
        });
        await controller.StartAsync();
        await Eventually.HoldsAsync(() => logs.Lines.Any(l => l.Contains("MQTT transport connected")), wait);
        await controller.StopAsync();
        return logs;
    }

    [Fact]
    public async Task The_controller_connects_to_the_broker_over_TLS_trusting_the_configured_CA()
    {
        var logs = await RunControllerAsync(_pki.CaPath, TimeSpan.FromSeconds(15));
        Assert.Contains(logs.Lines, l => l.Contains("MQTT transport connected") && l.Contains("mqtts://"));
    }

    [Fact]
    public async Task Without_the_CA_the_broker_certificate_is_refused()
    {
        var logs = await RunControllerAsync(null, TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("MQTT transport connected"));
        Assert.Contains(logs.Lines, l => l.Contains("MQTT transport error"));
    }
}
