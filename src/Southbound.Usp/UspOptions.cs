using System.ComponentModel.DataAnnotations;

namespace Provisioning.Southbound.Usp;

/// <summary>The "Usp" configuration section (env vars Usp__EndpointId etc.).</summary>
public sealed class UspOptions
{
    public const string Section = "Usp";

    /// <summary>The controller's own endpoint ID; records addressed elsewhere are ignored.</summary>
    public string EndpointId { get; set; } = "self::provisioning-controller";
    public string WebSocketUrl { get; set; } = "http://0.0.0.0:8081";
    public string WebSocketPath { get; set; } = "/usp";
    public string GrpcUrl { get; set; } = "http://127.0.0.1:50062";
    public string OrchestratorUrl { get; set; } = "http://127.0.0.1:50051";

    /// <summary>"refuse" (close / ignore the agent) or "quarantine" (keep it connected, report nothing).</summary>
    [RegularExpression("(?i)refuse|quarantine", ErrorMessage = "must be refuse or quarantine")]
    public string UnknownAgents { get; set; } = "refuse";

    /// <summary>WebSocket ping interval; agents behind NAT lose idle connections otherwise.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
    [Range(0, 10000000)]
    public int MaxConnections { get; set; } = 50_000;
    /// <summary>
    /// Connections the kernel queues before Kestrel accepts them: agents reconnecting after an outage arrive at
    /// once, and Kestrel's default (512) overflows into dropped handshakes. Capped by net.core.somaxconn.
    /// </summary>
    [Range(1, 65535)]
    public int ListenBacklog { get; set; } = 4096;
    [Range(1, 10000)]
    public int MaxInFlightPerAgent { get; set; } = 8;
    /// <summary>Upper bound for one USP request; a gRPC deadline shortens it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Largest record accepted on an MTP.</summary>
    [Range(1024, 67108864)]
    public int MaxRecordBytes { get; set; } = 1 << 20;
    /// <summary>ID of the persistent Boot! subscription created on first contact.</summary>
    public string BootSubscriptionId { get; set; } = "provisioning-boot";
    /// <summary>ID of the persistent Periodic! subscription created on first contact (paced by the plan's PeriodicNotifInterval).</summary>
    public string PeriodicSubscriptionId { get; set; } = "provisioning-periodic";
    /// <summary>ID of the persistent OperationComplete subscription to Device.DeviceInfo.FirmwareImage. made before a firmware Download().</summary>
    public string FirmwareSubscriptionId { get; set; } = "provisioning-firmware";
    /// <summary>
    /// After a firmware Activate(), how long the agent's Boot! is waited for once it has reconnected: one that holds no
    /// Boot! subscription sends none, and its version is then read with a Get.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BootAfterReconnectWait { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long Authenticate waits for an agent that is not connected (within the gRPC deadline).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReconnectWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A WebSocket agent that announces nothing (no WebSocketConnect record, no Boot!, no OnBoardRequest; older USP
    /// agents send no connect record) within this time of connecting is taken as a first contact all the same.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SilentAgentContactDelay { get; set; } = TimeSpan.FromSeconds(3);

    public UspMqttOptions Mqtt { get; set; } = new();
    public UspAuthOptions Auth { get; set; } = new();

    public bool QuarantineUnknownAgents => string.Equals(UnknownAgents, "quarantine", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The "Usp:Auth" section: how agents prove who they are (TR-369 security): a client certificate over WSS, else the
/// agent's own secret from the inventory at the WebSocket upgrade.
/// </summary>
public sealed class UspAuthOptions
{
    /// <summary>Agents with neither a secret in the inventory nor a certificate are managed only when this is set.</summary>
    public bool AllowUnauthenticatedAgents { get; set; }
    /// <summary>PEM file of the CA(s) agents' client certificates chain to; unset: the system trust.</summary>
    public string? ClientCaPath { get; set; }
    /// <summary>Also bind a certificate by its subject CN equal to the endpoint ID (TR-369 wants the SAN URI urn:bbf:usp:id:...).</summary>
    public bool AcceptCommonName { get; set; } = true;
    /// <summary>How long a LookupDevice answer is reused: a reconnect storm must not become a lookup storm.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan LookupCacheDuration { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Retry-After for an endpoint ID the inventory does not know: agents back off instead of retrying every few seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan UnknownAgentRetryAfter { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Retry-After for a missing, wrong or foreign credential.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RefusedRetryAfter { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Retry-After for an unauthenticated connection naming an agent that is connected (it is not displaced).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ConnectedRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Retry-After when the orchestrator cannot be asked (the agent is neither admitted nor refused).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan OrchestratorAwayRetryAfter { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>One ReportRefusedContact per endpoint ID and reason in this window; the rest are only counted here.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RefusalReportWindow { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>ReportRefusedContact calls in flight at once; more are dropped (and counted), never waited for.</summary>
    [Range(1, 10000)]
    public int MaxRefusalReportsInFlight { get; set; } = 4;
}

public sealed class UspMqttOptions
{
    public bool Enabled { get; set; }
    /// <summary>mqtt://host:port</summary>
    public string BrokerUrl { get; set; } = "mqtt://127.0.0.1:1883";
    /// <summary>
    /// The broker gives each agent a login of its own (its endpoint ID and secret), admits no anonymous client, and lets
    /// only the agent logged in as X read usp/agent/X (the launcher's local broker is set up so). Then a record naming X
    /// that asks for answers under usp/agent/X counts as authenticated by X's secret, and one asking for answers anywhere
    /// else is ignored. Off: the broker proves nothing, and agents are judged as on any other MTP.
    /// </summary>
    public bool BrokerKeepsAgentsToOwnTopics { get; set; }
    /// <summary>The controller's own topic; default usp/controller/&lt;endpoint id&gt;.</summary>
    public string? Topic { get; set; }
    public string? ClientId { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>MQTT over TLS (mqtts:// broker URL or any of these set).</summary>
    public Transport.Mqtt.UspMqttTlsOptions Tls { get; set; } = new();
}
