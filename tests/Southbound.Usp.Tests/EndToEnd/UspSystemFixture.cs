using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Southbound.Usp.Tests.Infrastructure;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.EndToEnd;

/// <summary>
/// The whole system over real gRPC, WebSockets, MQTT (a private mosquitto) and PostgreSQL: the orchestrator
/// hosting this USP controller in-process (the default deployment), and simulated agents.
/// </summary>
public sealed class UspSystemFixture : IAsyncLifetime
{
    public const string MqttTopic = "usp/controller/e2e";
    private readonly List<SimulatedUspAgent> _agents = [];
    private readonly IDictionary<string, string?>? _settings;

    public UspSystemFixture()
    {
    }

    /// <summary>A system of a test's own, with settings beyond the shared one's (internal: xunit wants one public constructor).</summary>
    internal UspSystemFixture(IDictionary<string, string?> settings) => _settings = settings;

    public SystemUnderTest System { get; private set; } = null!;
    public MosquittoBroker Broker { get; private set; } = null!;

    /// <summary>The orchestrator's firmware image folder (Firmware:ImageFolder): a file put here is served to agents.</summary>
    public string ImageFolder { get; } = Directory.CreateTempSubdirectory("usp-e2e-images-").FullName;

    public async Task InitializeAsync()
    {
        Broker = await MosquittoBroker.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Usp:Mqtt:Enabled"] = "true",
            ["Usp:Mqtt:BrokerUrl"] = Broker.Url.ToString(),
            ["Usp:Mqtt:Topic"] = MqttTopic,
            ["Usp:ReconnectWait"] = "00:00:01",
            ["Workflow:AuthenticateTimeout"] = "00:00:05",
            ["Workflow:PushConfigTimeout"] = "00:00:08",
            ["Workflow:VerifyTimeout"] = "00:00:05",
            ["Firmware:ImageFolder"] = ImageFolder,
            ["Firmware:ImageUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
        };
        foreach (var (key, value) in _settings ?? new Dictionary<string, string?>()) settings[key] = value;
        System = await SystemUnderTest.StartAsync(settings);
        await System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = Plan("usp-gold") });
    }

    public async Task DisposeAsync()
    {
        SimulatedUspAgent[] agents;
        lock (_agents) agents = [.. _agents];
        await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask()));
        await System.DisposeAsync();
        await Broker.DisposeAsync();
        Directory.Delete(ImageFolder, recursive: true);
    }

    public string NewSerial(string prefix) => TestSerials.Next(prefix, counterDigits: 3);

    public static ServicePlan Plan(string name) => TestPlans.Usp(name);

    public static DeviceRef Ref(string serial) => new()
    {
        SerialNumber = serial,
        Oui = "00D09E",
        ProductClass = "HGW-USP",
        Protocol = DeviceProtocol.Usp,
        EndpointId = new AgentIdentity(serial).EndpointId,
    };

    public Task RegisterAsync(string serial, string plan = "usp-gold") => System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
    {
        Device = new Device { Identity = Ref(serial), CustomerId = "C-" + serial, ServicePlan = plan, LocationId = "LOC-1" },
    }).ResponseAsync;

    public SimulatedUspAgent StartAgent(string serial, bool overMqtt = false, Action<SimulatedUspAgent>? prepare = null, AgentIdentity? identity = null)
    {
        var agent = new SimulatedUspAgent(new UspAgentOptions
        {
            Identity = identity ?? new AgentIdentity(serial),
            ControllerEndpointId = System.UspControllerEndpointId,
            WebSocketUrl = overMqtt ? null : System.UspWebSocketUrl,
            MqttBrokerUrl = overMqtt ? Broker.Url : null,
            ControllerTopic = MqttTopic,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            OnBoardRetryInterval = TimeSpan.FromSeconds(1),
            RebootDuration = TimeSpan.FromMilliseconds(100),
        });
        prepare?.Invoke(agent);
        lock (_agents) _agents.Add(agent);
        agent.Start();
        return agent;
    }
}

[CollectionDefinition(nameof(UspSystemCollection))]
public sealed class UspSystemCollection : ICollectionFixture<UspSystemFixture>;
