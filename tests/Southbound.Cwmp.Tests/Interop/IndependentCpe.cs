using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// Runs tests/Interop/cwmp_cpe.py, a TR-069 CPE written from the specification and not from this code base, as a
/// separate python3 process, and reads the JSON report it prints on its last line.
/// </summary>
public sealed class IndependentCpe : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private IndependentCpe(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string Script { get; } = Path.Combine(RepositoryRoot(), "tests", "Interop", "cwmp_cpe.py");

    /// <summary>Starts the CPE; it runs its sessions at once.</summary>
    public static IndependentCpe Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            return new IndependentCpe(Process.Start(start) ?? throw new InvalidOperationException("python3 did not start"));
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"python3 is needed to run the independent TR-069 CPE ({Script}) and could not be started: {e.Message}. " +
                        "Install python3 (.ci/run does when it is missing).");
            throw;
        }
    }

    public static async Task<CpeRun> RunAsync(IEnumerable<string> arguments)
    {
        await using var cpe = Start(arguments);
        return await cpe.WaitAsync();
    }

    /// <summary>Waits for the CPE to exit and returns its exit code, report and log.</summary>
    public async Task<CpeRun> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the independent CPE did not finish within {Patience}:\n{Log}");
        }
        _process.WaitForExit(); // drains the redirected streams
        string stdout;
        lock (_stdout) stdout = _stdout.ToString();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        JsonElement? report = null;
        if (last is not null && last.StartsWith('{')) report = JsonDocument.Parse(last).RootElement.Clone();
        return new CpeRun(_process.ExitCode, report, Log);
    }

    private string Log { get { lock (_stderr) return _stderr.ToString(); } }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Provisioning.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Provisioning.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>What one run of the independent CPE ended with: exit code, its JSON report (null if it printed none), its log.</summary>
public sealed record CpeRun(int ExitCode, JsonElement? Report, string Log)
{
    public JsonElement Json => Report ?? throw new Xunit.Sdk.XunitException($"the CPE printed no JSON report (exit {ExitCode}):\n{Log}");

    public string? Parameter(string name) =>
        Json.GetProperty("parameters").TryGetProperty(name, out var value) ? value.GetString() : null;

    public IReadOnlyList<JsonElement> Sessions => [.. Json.GetProperty("sessions").EnumerateArray()];

    public static IReadOnlyList<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    public override string ToString() => $"exit {ExitCode}\n{Report}\n{Log}";
}
