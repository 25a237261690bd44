using Provisioning.Simulators.Usp.DataModel;

namespace Provisioning.Simulators.Usp.Agents;

/// <summary>How one simulated agent reaches its controller and behaves.</summary>
public sealed class UspAgentOptions
{
    public required AgentIdentity Identity { get; init; }
    public string ControllerEndpointId { get; init; } = "self::provisioning-controller";

    /// <summary>WebSocket MTP: ws://host:port/usp (the agent adds ?eid=).</summary>
    public Uri? WebSocketUrl { get; init; }
    /// <summary>MQTT MTP instead: mqtt://host:port and the controller's topic.</summary>
    public Uri? MqttBrokerUrl { get; init; }
    public string? ControllerTopic { get; init; }

    public string SubProtocol { get; init; } = "v1.usp";
    /// <summary>The agent's own secret, presented at the WebSocket upgrade as HTTP Basic (endpoint id : secret).</summary>
    public string? Secret { get; init; }
    /// <summary>A client certificate (with its key) presented over wss:// (TR-369: bound to the endpoint ID in a SAN URI).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; init; }
    /// <summary>Accept the controller's server certificate when it chains to this CA (a private PKI); null: the system trust.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCa { get; init; }

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>OnBoardRequest is repeated at this interval until answered.</summary>
    public TimeSpan OnBoardRetryInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Delay before an async command (firmware download) reports OperationComplete.</summary>
    public TimeSpan AsyncCommandDuration { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>How long a rebooting agent stays away.</summary>
    public TimeSpan RebootDuration { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Send an OnBoardRequest on the first boot (no Boot! subscription yet).</summary>
    public bool SendOnBoardRequest { get; init; } = true;
}
