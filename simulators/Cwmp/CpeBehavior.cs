using System.Collections.Concurrent;

namespace Provisioning.Simulators.Cwmp;

public enum ConnectionRequestMode
{
    /// <summary>Answer 200 and open a session with "6 CONNECTION REQUEST".</summary>
    Accept,
    /// <summary>Answer 503 (busy) every time.</summary>
    Busy,
    /// <summary>Reset the connection without answering (an unreachable device behind NAT, or powered off).</summary>
    Ignore,
}

/// <summary>Faults and misbehaviour injected into one simulated CPE; may be changed while it runs.</summary>
public sealed class CpeBehavior
{
    /// <summary>SetParameterValues of these parameters fails with the given code (9002, 9005, 9007, 9008…) as a SetParameterValuesFault.</summary>
    public ConcurrentDictionary<string, uint> ParameterFaults { get; } = new(StringComparer.Ordinal);

    /// <summary>These parameters are acknowledged by SetParameterValues but silently not applied (a verification mismatch).</summary>
    public ConcurrentDictionary<string, bool> IgnoredParameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Delay before answering each ACS RPC (slow CPE).</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>On receiving this RPC (e.g. "SetParameterValues") the CPE abandons the session without answering, once.</summary>
    public string? DropSessionOn { get; set; }

    /// <summary>Answer SetParameterValues with Status 1 (applied after reboot).</summary>
    public bool ApplyAfterReboot { get; set; }

    public ConnectionRequestMode ConnectionRequests { get; set; } = ConnectionRequestMode.Accept;

    /// <summary>
    /// A Download fails with this TransferComplete FaultCode (9010, 9012, 9015-9019) whatever the file server does;
    /// null: the code comes from the real HTTP fetch (0 when it worked).
    /// </summary>
    public uint? DownloadFault { get; set; }

    /// <summary>
    /// A firmware Download reports success (TransferComplete FaultCode 0) and the CPE reboots, but it comes back with
    /// the old SoftwareVersion (the image did not take: what an orchestrator must detect on the next Inform).
    /// </summary>
    public bool KeepsOldFirmware { get; set; }

    /// <summary>A Download is refused at once with this fault in place of its DownloadResponse (9010, 9012, 9018 ...): nothing is transferred.</summary>
    public uint? RefusesDownload { get; set; }

    /// <summary>
    /// A Download is fetched (and a firmware image installed) while the session waits, answered Status 0 with its times:
    /// no TransferComplete and no reboot follow. A failed fetch is answered with its fault instead.
    /// </summary>
    public bool DownloadsWithinSession { get; set; }

    public CpeBehavior WithFault(string parameter, uint code)
    {
        ParameterFaults[parameter] = code;
        return this;
    }

    public CpeBehavior Ignoring(string parameter)
    {
        IgnoredParameters[parameter] = true;
        return this;
    }
}
