using System.Diagnostics;

namespace Provisioning.Benchmarks.Storm;

/// <summary>perf record of one process during the storm (JIT frames resolved through the runtime's perf map).</summary>
public sealed class PerfRecorder : IDisposable
{
    private readonly Process _perf;

    private PerfRecorder(Process perf, string outputPath)
    {
        _perf = perf;
        OutputPath = outputPath;
    }

    public string OutputPath { get; }

    public static PerfRecorder? Start(int pid, string outputPath)
    {
        try
        {
            var start = new ProcessStartInfo("perf") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "record", "-F", "249", "-g", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", outputPath })
                start.ArgumentList.Add(arg);
            var process = Process.Start(start);
            return process is null ? null : new PerfRecorder(process, outputPath);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"perf unavailable: {e.Message}");
            return null;
        }
    }

    public void Stop()
    {
        if (_perf.HasExited) return;
        using (var signal = Process.Start("kill", ["-INT", _perf.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) signal.WaitForExit();
        if (!_perf.WaitForExit(TimeSpan.FromSeconds(30))) _perf.Kill();
    }

    public void Dispose()
    {
        Stop();
        _perf.Dispose();
    }
}
