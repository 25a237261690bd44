using System.ComponentModel.DataAnnotations;

namespace Provisioning.Southbound.Cwmp;

/// <summary>Settings under "Cwmp:" (env vars Cwmp__AcsUrl etc.), bound and validated by SettingsSection. Durations are hh:mm:ss.</summary>
public sealed record CwmpOptions
{
    public const string Section = "Cwmp";

    public string AcsUrl { get; init; } = "http://0.0.0.0:7547";
    public string GrpcUrl { get; init; } = "http://127.0.0.1:50061";
    public string OrchestratorUrl { get; init; } = "http://127.0.0.1:50051";
    /// <summary>The gRPC address reported to the orchestrator for routing; defaults to <see cref="GrpcUrl"/>.</summary>
    public string? AdapterAddress { get; init; }

    /// <summary>A session with no HTTP request for this long is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long the CPE's empty POST may wait for a workflow's first RPC (well inside the CPE's own timeout).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan HoldTimeout { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>
    /// How long a held session waits for the workflow's next RPC after the last answer before it ends with 204.
    /// Normally the workflow's Release ends the session at once, so this only bounds an abandoned hold; it must
    /// outlast the orchestrator's step-to-step latency under load (a bootstrap storm measured several seconds),
    /// or the next step pays a Connection Request and a new session.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan IdleGrace { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>
    /// A CPE that holds an RPC this long without answering is taken to have dropped the session: the session is
    /// closed and the RPC's caller reaches the device again (Connection Request) within its deadline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan UnansweredRpcTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Bound on the ReportDeviceContact call made for an Inform (the CPE's empty POST waits for it) and on inventory
    /// lookups. In a 10,000-CPE storm on 2 cores contacts took 17 s (p50): a shorter bound makes most of them fail
    /// with 503, and every CPE's retry costs the orchestrator the same work again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ContactReportTimeout { get; init; } = TimeSpan.FromSeconds(25);
    /// <summary>Largest accepted envelope in bytes; larger bodies get HTTP 413.</summary>
    [Range(1024, 67108864)]
    public int MaxEnvelopeBytes { get; init; } = 1024 * 1024;
    /// <summary>
    /// Capacity: open sessions beyond this get HTTP 503 with Retry-After at their first request, before any body
    /// is read or any lookup made, so an inform storm larger than the ACS queues nothing without bound.
    /// </summary>
    [Range(0, 10000000)]
    public int MaxSessions { get; init; } = 20_000;
    /// <summary>Seconds a refused CPE is told to wait (CPEs add their own randomised back-off).</summary>
    [Range(0, 86400)]
    public int RetryAfterSeconds { get; init; } = 30;
    /// <summary>
    /// Connections the kernel queues for the ACS before Kestrel accepts them. A storm's CPEs connect at once, and
    /// Kestrel's default (512) overflows: the kernel then drops handshakes and CPEs time out instead of being
    /// served or told 503. The kernel caps it at net.core.somaxconn.
    /// </summary>
    [Range(1, 65535)]
    public int ListenBacklog { get; init; } = 4096;
    /// <summary>
    /// A kept-alive connection with no request for this long is closed (Kestrel's default is 130 s). A CPE sends its
    /// next POST at once and ends its session with the ACS's 204, so an idle connection is one holding a file for nothing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A connection that has not sent a request's headers within this long is closed (slow-header floods).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// SetParameterValues answered Status 1 ("applied after reboot"): reboot the CPE before PushConfig returns and
    /// hold its next session, so that Verify reads what the device now runs.
    /// </summary>
    public bool RebootToApply { get; init; } = true;

    /// <summary>
    /// How long a firmware transfer is remembered by device and CommandKey: awaited after its Download was accepted, and
    /// its outcome once the CPE reported it, so a DownloadFirmware re-driven with the same CommandKey gets it without a
    /// second Download. Longer than a slow CPE's transfer, flash and reboot, and than an orchestrator's restart.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan TransferRetention { get; init; } = TimeSpan.FromHours(6);
    /// <summary>Transfers remembered at most (a few hundred bytes each: about 30 MB when full).</summary>
    [Range(1, 10000000)]
    public int MaxTransfers { get; init; } = 100_000;

    public CwmpAuthOptions Auth { get; init; } = new();
}

/// <summary>CPE authentication ("Cwmp:Auth:").</summary>
public sealed record CwmpAuthOptions
{
    public bool Enabled { get; init; } = true;
    /// <summary>Accept HTTP Basic (many CPEs send it pre-emptively); Digest is always offered.</summary>
    public bool AllowBasic { get; init; } = true;
    /// <summary>
    /// Basic (when allowed at all) also on plain HTTP. Off by default: without TLS the password crosses the network in
    /// clear text, and TR-069 §3.4.4 has the ACS use Digest there. A warning is logged at start when it is on.
    /// </summary>
    public bool AllowBasicOverHttp { get; init; }
    public string Realm { get; init; } = "Provisioning ACS";
    /// <summary>Credential for devices not yet provisioned (the factory-default ACS credential).</summary>
    public string? BootstrapUsername { get; init; } = "bootstrap";
    public string? BootstrapPassword { get; init; } = "bootstrap";
    /// <summary>How long a LookupDevice answer is reused (an inform storm must not become a lookup storm).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheDuration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// How long a steady LookupDevice answer is kept while the orchestrator's WatchDeviceChanges passes on every change
    /// of the device (so periodic Informs hours apart need no lookup), e.g. 06:00:00; 0 (the default for now) leaves the
    /// watch off (CacheDuration only). Off by default until the in-process host's stop no longer waits on the watch's
    /// stream (InProcessAcsTests time out at dispose with it on).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan WatchedCacheDuration { get; init; } = TimeSpan.Zero;
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Digest nonces remembered at most (about 250 bytes each: 25 MB when full); beyond it the oldest are forgotten (their CPEs get a stale challenge).</summary>
    [Range(1, 10000000)]
    public int MaxNonces { get; init; } = 100_000;
    /// <summary>Equal refused contacts (same device or username, same reason) are reported to the orchestrator once per this window.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RefusalReportWindow { get; init; } = TimeSpan.FromMinutes(1);

    // Keep the bootstrap password out of any log of the options.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Enabled = ").Append(Enabled).Append(", AllowBasic = ").Append(AllowBasic).Append(", AllowBasicOverHttp = ").Append(AllowBasicOverHttp).Append(", Realm = ").Append(Realm);
        return true;
    }
}
