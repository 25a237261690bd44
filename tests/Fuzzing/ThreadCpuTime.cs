using System.Diagnostics;

namespace Provisioning.Fuzzing;

/// <summary>
/// CPU time the current thread has run, where the OS tells it (Linux: /proc/thread-self/schedstat, nanoseconds on CPU);
/// elsewhere wall-clock time. A per-input limit in wall-clock time failed on a loaded CI box (a 370 ms parse took 7.7 s
/// with the other test projects running beside it); the thread's own CPU time does not grow with the load.
/// </summary>
internal static class ThreadCpuTime
{
    private const string SchedStat = "/proc/thread-self/schedstat";
    private static readonly bool Available = File.Exists(SchedStat);

    public static TimeSpan Now()
    {
        if (Available)
        {
            var text = File.ReadAllText(SchedStat);
            var end = text.IndexOf(' ');
            if (end > 0 && long.TryParse(text.AsSpan(0, end), out var nanoseconds)) return TimeSpan.FromTicks(nanoseconds / 100);
        }
        return Stopwatch.GetElapsedTime(0);
    }
}
