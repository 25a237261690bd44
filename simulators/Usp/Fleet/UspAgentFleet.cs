using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;

namespace Provisioning.Simulators.Usp.Fleet;

/// <summary>Many agents in one process (serial numbers prefix + index), started in waves to spare the controller a thundering herd.</summary>
public sealed class UspAgentFleet : IAsyncDisposable
{
    private readonly List<SimulatedUspAgent> _agents = [];

    public IReadOnlyList<SimulatedUspAgent> Agents => _agents;

    public static UspAgentFleet Create(int count, Func<int, UspAgentOptions> options)
    {
        var fleet = new UspAgentFleet();
        for (var i = 0; i < count; i++) fleet._agents.Add(new SimulatedUspAgent(options(i)));
        return fleet;
    }

    /// <summary>Options for agent <paramref name="index"/> with serial "<paramref name="serialPrefix"/>-000042".</summary>
    /// <param name="secretFor">The agent's secret from its endpoint ID (<see cref="AgentSecrets"/>); null: none presented.</param>
    public static UspAgentOptions DefaultOptions(int index, string serialPrefix, Uri? webSocketUrl, Uri? mqttBroker, string controllerEndpointId, string? controllerTopic = null,
        Func<string, string>? secretFor = null)
    {
        var identity = new AgentIdentity($"{serialPrefix}-{index:D6}");
        return DefaultOptions(identity, webSocketUrl, mqttBroker, controllerEndpointId, controllerTopic, secretFor?.Invoke(identity.EndpointId));
    }

    private static UspAgentOptions DefaultOptions(AgentIdentity identity, Uri? webSocketUrl, Uri? mqttBroker, string controllerEndpointId, string? controllerTopic, string? secret) => new()
    {
        Identity = identity,
        Secret = secret,
        WebSocketUrl = webSocketUrl,
        // Over MQTT the secret is the agent's broker login (username = its endpoint ID), carried in the broker URL.
        MqttBrokerUrl = webSocketUrl is null ? Transport.MqttConnection.WithSecret(mqttBroker, secret) : null,
        ControllerEndpointId = controllerEndpointId,
        ControllerTopic = controllerTopic,
    };

    public async Task StartAsync(int perSecond = 1000, CancellationToken cancellationToken = default)
    {
        var batch = Math.Max(1, perSecond / 20);
        for (var i = 0; i < _agents.Count; i++)
        {
            _agents[i].Start();
            if ((i + 1) % batch == 0) await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public int Connected => _agents.Count(a => a.IsConnected);

    public FleetSummary Summary() => new(
        _agents.Count,
        Connected,
        _agents.Sum(a => a.Statistics.Connects),
        _agents.Sum(a => a.Statistics.Requests),
        _agents.Sum(a => a.Statistics.ErrorsReturned),
        _agents.Sum(a => a.Statistics.BootsSent),
        _agents.Sum(a => a.Statistics.OnBoardRequestsSent));

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_agents.Select(a => a.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}

public sealed record FleetSummary(int Agents, int Connected, int Connects, int RequestsAnswered, int ErrorsReturned, int BootsSent, int OnBoardRequestsSent)
{
    public override string ToString() =>
        $"agents={Agents} connected={Connected} connects={Connects} requests={RequestsAnswered} errors={ErrorsReturned} boots={BootsSent} onboard_requests={OnBoardRequestsSent}";
}
