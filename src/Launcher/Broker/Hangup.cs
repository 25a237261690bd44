using System.Runtime.InteropServices;

namespace Provisioning.Launcher.Broker;

/// <summary>SIGHUP to a process: how mosquitto is told to read its password and ACL files again (.NET has no API for it).</summary>
internal static class Hangup
{
    private const int SigHup = 1;

    public static bool Send(int processId) => !OperatingSystem.IsWindows() && Kill(processId, SigHup) == 0;

    // DllImport rather than LibraryImport: the generated stub would need unsafe code in the project for one int call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
