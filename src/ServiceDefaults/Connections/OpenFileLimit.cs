using System.Runtime.InteropServices;

namespace Provisioning.ServiceDefaults.Connections;

/// <summary>
/// The process's limit of open files (RLIMIT_NOFILE), which every socket counts against. At start the soft limit is
/// raised to the hard one (what an unprivileged process may do), so the connection budgets can be sized from it.
/// </summary>
public static partial class OpenFileLimit
{
    private const int RlimitNofile = 7; // Linux
    private static readonly Lazy<(ulong Soft, ulong Hard)> Raised = new(RaiseSoftToHard);

    /// <summary>The soft limit after raising it once per process (1024 assumed where it cannot be read).</summary>
    public static ulong Current => Raised.Value.Soft;

    private static (ulong Soft, ulong Hard) RaiseSoftToHard()
    {
        if (!OperatingSystem.IsLinux()) return (1024, 1024);
        if (GetRLimit(RlimitNofile, out var limit) != 0) return (1024, 1024);
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetRLimit(RlimitNofile, in raised) == 0) limit = raised;
        }
        return (limit.Current, limit.Maximum);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
