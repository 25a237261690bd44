using Provisioning.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Provisioning.Resilience.Tests;

/// <summary>
/// One of the system's hosts (orchestrator or adapter) as a real child process, started from the build output
/// next to the tests, killable with SIGKILL.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly string _assembly;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;

    public ConcurrentQueue<string> Output { get; } = new();

    public HostProcess(string assemblyName, IReadOnlyDictionary<string, string> environment)
    {
        _assembly = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        _environment = environment;
    }

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet", [_assembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // Authentication is always on: every host gets the test keys (a test may override them).
        foreach (var (key, value) in TestChannels.Environment) start.Environment[key] = value;
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_assembly}");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// Waits until the host accepts connections on each port; a host that exited or never listens fails the test
    /// with the end of its own output, so the cause (a port taken, a bad setting) is in the test log.
    /// </summary>
    public async Task WaitListeningAsync(TimeSpan timeout, params int[] ports)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var port in ports)
        {
            while (true)
            {
                if (_process is null || _process.HasExited) throw new InvalidOperationException($"{Name} exited before listening on {port}:\n{Tail()}");
                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
                catch (SocketException)
                {
                    throw new InvalidOperationException($"{Name} did not listen on {port} within {timeout}:\n{Tail()}");
                }
            }
        }
    }

    /// <summary>The last lines the host wrote, for a failure message.</summary>
    public string Tail(int lines = 40) => string.Join('\n', Output.TakeLast(lines));

    public string Name => Path.GetFileNameWithoutExtension(_assembly);

    /// <summary>SIGKILL: no shutdown code runs, leases are not handed back, sessions drop.</summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.CompletedTask;
        _process?.Dispose();
    }
}
