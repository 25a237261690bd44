using System.Globalization;

namespace Provisioning.Benchmarks.Storm;

/// <summary>CPU and memory of processes read from /proc (Linux): the profile's "who burns the CPU" part.</summary>
public static class ProcessStats
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>VmRSS and VmHWM (peak resident) in MiB, or null when the process is gone.</summary>
    public static (double RssMb, double PeakRssMb)? Memory(int pid)
    {
        try
        {
            double rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line) / 1024.0;
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kb(line) / 1024.0;
            }
            return (rss, hwm);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static double Kb(string line) =>
        double.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>user+system CPU seconds of one process (all its threads).</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = StatFields($"/proc/{pid}/stat");
        return fields is null ? 0 : (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>CPU seconds per thread name of a process (".NET TP Worker", ".NET Server GC", ...).</summary>
    public static Dictionary<string, double> CpuSecondsByThread(int pid)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var fields = StatFields(Path.Combine(task, "stat"));
                if (fields is null) continue;
                var name = fields[1].Trim('(', ')');
                var seconds = (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
                result[name] = result.GetValueOrDefault(name) + seconds;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return result;
    }

    /// <summary>Every process whose parent is <paramref name="parent"/> (the postmaster's backends), plus the parent.</summary>
    public static IReadOnlyList<int> WithChildren(int parent)
    {
        var pids = new List<int> { parent };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var fields = StatFields(Path.Combine(dir, "stat"));
            if (fields is not null && fields[3] == parent.ToString(CultureInfo.InvariantCulture)) pids.Add(pid);
        }
        return pids;
    }

    /// <summary>CPU seconds of every process under the postmaster, including backends that already exited (cutime/cstime).</summary>
    public static double TreeCpuSeconds(int parent)
    {
        var fields = StatFields($"/proc/{parent}/stat");
        if (fields is null) return 0;
        double total = 0;
        // Children that exited were reaped by the postmaster: their time is in its cutime/cstime.
        total += (long.Parse(fields[15], CultureInfo.InvariantCulture) + long.Parse(fields[16], CultureInfo.InvariantCulture)) / TicksPerSecond;
        foreach (var pid in WithChildren(parent)) total += CpuSeconds(pid);
        return total;
    }

    /// <summary>Machine-wide busy and total CPU seconds from /proc/stat (all cores).</summary>
    public static (double Busy, double Total) MachineCpu()
    {
        var first = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = first.Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        var total = values.Take(8).Sum();
        return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
    }

    /// <summary>
    /// Connections the kernel dropped because a listener's accept queue was full (TcpExt ListenOverflows, machine-wide):
    /// in a storm, CPEs whose handshakes were dropped time out and retry instead of being served.
    /// </summary>
    public static long ListenOverflows()
    {
        var lines = File.ReadLines("/proc/net/netstat").Where(l => l.StartsWith("TcpExt:", StringComparison.Ordinal)).ToList();
        if (lines.Count < 2) return 0;
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.IndexOf(names, "ListenOverflows");
        return index > 0 && index < values.Length ? long.Parse(values[index], CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Fields of a /proc stat line with the (comm) kept as one field even when it holds spaces.</summary>
    private static string[]? StatFields(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var rest = text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [text[..(open - 1)], text[open..(close + 1)], .. rest];
    }
}
