using Provisioning.Launcher.Broker;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>
/// The USP controller on real Kestrel (WebSocket + gRPC listeners on free loopback ports) and an in-test
/// DeviceContacts gRPC server standing in for the orchestrator; agents are the real simulator.
/// </summary>
public sealed class UspTestHost : IAsyncDisposable
{
    public const string ControllerId = "self::test-controller";
    private readonly WebApplication _controller;
    private readonly GrpcChannel _channel;
    private readonly List<SimulatedUspAgent> _agents = [];

    private UspTestHost(WebApplication controller, FakeOrchestrator fake, Uri webSocketUrl, string grpcUrl, string? mqttTopic)
    {
        _controller = controller;
        Orchestrator = fake;
        WebSocketUrl = webSocketUrl;
        GrpcUrl = grpcUrl;
        MqttTopic = mqttTopic;
        _channel = GrpcChannel.ForAddress(grpcUrl);
        Adapter = new DeviceAdapter.DeviceAdapterClient(_channel);
    }

    public FakeOrchestrator Orchestrator { get; }
    public Uri WebSocketUrl { get; }
    public string GrpcUrl { get; }
    public string? MqttTopic { get; }
    public DeviceAdapter.DeviceAdapterClient Adapter { get; }
    public IServiceProvider Services => _controller.Services;

    public static async Task<UspTestHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var fake = await FakeOrchestrator.StartAsync();

        var wsPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var all = new Dictionary<string, string?>
        {
            ["Usp:EndpointId"] = ControllerId,
            ["Usp:WebSocketUrl"] = $"{(settings?.ContainsKey("Usp:Tls:CertificatePath") == true ? "https" : "http")}://127.0.0.1:{wsPort}",
            ["Usp:WebSocketPath"] = "/usp",
            ["Usp:GrpcUrl"] = $"http://127.0.0.1:{grpcPort}",
            ["Usp:OrchestratorUrl"] = fake.Url,
            ["Usp:RequestTimeout"] = "00:00:05",
            ["Usp:ReconnectWait"] = "00:00:02",
            // The simulator's agents carry no secret; tests of agent authentication turn this off.
            ["Usp:Auth:AllowUnauthenticatedAgents"] = "true",
            ["Telemetry:SharedWithHost"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        // As the launcher hosts it: with MQTT on and no broker of its own (or Usp:Mqtt:StartLocalBroker), a local mosquitto.
        var controller = UspAdapterApplication.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(all);
            b.AddLocalBroker();
        });
        await controller.StartAsync();
        var topic = all.TryGetValue("Usp:Mqtt:Topic", out var t) ? t : "usp/controller/" + ControllerId;
        var scheme = all["Usp:WebSocketUrl"]!.StartsWith("https://", StringComparison.Ordinal) ? "wss" : "ws";
        return new UspTestHost(controller, fake, new Uri($"{scheme}://127.0.0.1:{wsPort}/usp"), $"http://127.0.0.1:{grpcPort}", topic);
    }

    /// <summary>
    /// A simulated agent (registered in the fake inventory unless told otherwise), started. <paramref name="secret"/> is
    /// what it presents at the upgrade (registered as its secret unless <paramref name="registeredSecret"/> says otherwise).
    /// </summary>
    public SimulatedUspAgent StartAgent(string serial, bool registered = true, Uri? mqttBroker = null, Action<SimulatedUspAgent>? prepare = null, AgentIdentity? identity = null,
        string? secret = null, string? registeredSecret = null, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? serverCa = null)
    {
        var agent = CreateAgent(serial, mqttBroker, identity, secret, certificate, serverCa);
        if (registered) Orchestrator.Registered[agent.EndpointId] = true;
        if (registered && (registeredSecret ?? secret) is { } own) Orchestrator.RegisterWithSecret(agent.EndpointId, own);
        prepare?.Invoke(agent);
        agent.Start();
        return agent;
    }

    public SimulatedUspAgent CreateAgent(string serial, Uri? mqttBroker = null, AgentIdentity? identity = null, string? secret = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null, System.Security.Cryptography.X509Certificates.X509Certificate2? serverCa = null)
    {
        var agent = new SimulatedUspAgent(new UspAgentOptions
        {
            Identity = identity ?? new AgentIdentity(serial),
            ControllerEndpointId = ControllerId,
            Secret = secret,
            ClientCertificate = certificate,
            ServerCa = serverCa,
            WebSocketUrl = mqttBroker is null ? WebSocketUrl : null,
            // Over MQTT the secret is the agent's broker login; it travels in the broker URL's user info.
            MqttBrokerUrl = mqttBroker is not null && secret is not null
                ? new Uri($"{mqttBroker.Scheme}://agent:{Uri.EscapeDataString(secret)}@{mqttBroker.Authority}{mqttBroker.PathAndQuery}")
                : mqttBroker,
            ControllerTopic = MqttTopic,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            OnBoardRetryInterval = TimeSpan.FromSeconds(1),
            RebootDuration = TimeSpan.FromMilliseconds(100),
        });
        lock (_agents) _agents.Add(agent);
        return agent;
    }

    public static Task EventuallyAsync(Func<bool> condition, string because, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(condition, because, timeout);

    public async ValueTask DisposeAsync()
    {
        SimulatedUspAgent[] agents;
        lock (_agents) agents = [.. _agents];
        await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask()));
        _channel.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _controller.StopAsync(timeout.Token);
        await _controller.DisposeAsync();
        await Orchestrator.DisposeAsync();
    }
}
