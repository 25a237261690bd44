using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// tests/Interop/usp_agent.py run as a process: a USP agent written from TR-369 alone, sharing no code with this
/// controller. It is stopped through its stdin and reports its data model as JSON on its last line.
/// </summary>
internal sealed class IndependentAgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private IndependentAgentProcess(Process process) => _process = process;

    public static IndependentAgentProcess Start(Uri controllerUrl, string controllerEndpointId, string endpointId, string serial, params string[] variant) =>
        Start(["--url", controllerUrl.ToString()], controllerEndpointId, endpointId, serial, variant);

    /// <summary>Over the MQTT MTP: the agent connects to the broker and publishes to the controller's topic.</summary>
    public static IndependentAgentProcess StartOverMqtt(Uri broker, string controllerTopic, string controllerEndpointId, string endpointId, string serial, params string[] variant) =>
        Start(["--mtp", "mqtt", "--broker", $"{broker.Host}:{broker.Port}", "--controller-topic", controllerTopic], controllerEndpointId, endpointId, serial, variant);

    private static IndependentAgentProcess Start(string[] mtp, string controllerEndpointId, string endpointId, string serial, string[] variant)
    {
        var python = FindOnPath("python3") ?? throw new InvalidOperationException(
            "python3 is not installed: the independent USP agent (tests/Interop/usp_agent.py) needs it (.ci/run installs it; apt-get install python3)");
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -B: no __pycache__ left in the repository.
        foreach (var argument in (string[])["-B", Script(), .. mtp, "--controller-id", controllerEndpointId, "--eid", endpointId, "--serial", serial, "--max-seconds", "60", .. variant])
        {
            start.ArgumentList.Add(argument);
        }
        var agent = new IndependentAgentProcess(Process.Start(start) ?? throw new InvalidOperationException("python3 did not start"));
        agent._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (agent._stdout) agent._stdout.AppendLine(e.Data); };
        agent._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (agent._stderr) agent._stderr.AppendLine(e.Data); };
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Tells the agent to close its WebSocket (or disconnect from the broker) and waits for its report.</summary>
    public async Task<AgentReport> StopAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("quit");
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // it ended on its own meanwhile
            }
        }
        return await ExitedAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Waits for the agent to end on its own (the controller closed it).</summary>
    public async Task<AgentReport> ExitedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the independent agent did not end within {timeout}; its stderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drains the redirected streams
        string stdout;
        lock (_stdout) stdout = _stdout.ToString();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"the independent agent printed no report (exit {_process.ExitCode}); its stderr:\n{Stderr}");
        return new AgentReport(_process.ExitCode, JsonDocument.Parse(last).RootElement.Clone(), Stderr);
    }

    private string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string Script()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "tests", "Interop", "usp_agent.py");
            if (File.Exists(script)) return script;
        }
        throw new FileNotFoundException("tests/Interop/usp_agent.py not found above " + AppContext.BaseDirectory);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>What the agent printed last: its data model, what it received, how its connection ended.</summary>
internal sealed record AgentReport(int ExitCode, JsonElement Json, string Stderr)
{
    public IReadOnlyDictionary<string, string> DataModel =>
        Json.TryGetProperty("data_model", out var model)
            ? model.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : new Dictionary<string, string>();

    public int Requests(string msgType) =>
        Json.TryGetProperty("requests", out var requests) && requests.TryGetProperty(msgType, out var count) ? count.GetInt32() : 0;

    public string? ClosedBy => Json.TryGetProperty("closed_by", out var by) && by.ValueKind == JsonValueKind.String ? by.GetString() : null;

    public int? CloseCode => Json.TryGetProperty("close_code", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : null;

    public int Get(string field) => Json.GetProperty(field).GetInt32();

    public override string ToString() => $"exit {ExitCode}; report {Json}; stderr:\n{Stderr}";
}
