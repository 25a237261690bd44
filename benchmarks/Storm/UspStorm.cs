using System.Collections.Concurrent;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// The project's simulated USP agents over WebSocket. Starting an agent connects it; the connect record (first
/// contact) or its OnBoardRequest starts the workflow of a registered agent. The start time of each agent is recorded.
/// </summary>
public sealed class UspStorm : IAsyncDisposable
{
    public const string Oui = "00D09E";
    private readonly List<SimulatedUspAgent> _agents = [];

    public ConcurrentDictionary<string, DateTimeOffset> Started { get; } = new(StringComparer.Ordinal);
    public IReadOnlyList<SimulatedUspAgent> Agents => _agents;

    public static string EndpointIdOf(string serialNumber) => $"os::{Oui}-{serialNumber}";

    /// <summary>The secret every storm agent presents at the WebSocket upgrade (registered with each in the inventory).</summary>
    public const string AgentSecret = "storm-agent-secret";

    public void Add(string serialNumber, Uri webSocketUrl, string controllerEndpointId)
    {
        _agents.Add(new SimulatedUspAgent(new UspAgentOptions
        {
            Identity = new AgentIdentity(serialNumber, Oui),
            WebSocketUrl = webSocketUrl,
            ControllerEndpointId = controllerEndpointId,
            Secret = AgentSecret,
            // A storm: agents that lose the race retry like field agents, with backoff.
            ReconnectMinDelay = TimeSpan.FromMilliseconds(500),
            ReconnectMaxDelay = TimeSpan.FromSeconds(10),
        }));
    }

    /// <summary>Starts every agent: all at once, or <paramref name="perSecond"/> per second in 20 waves a second.</summary>
    public async Task StartAllAsync(int perSecond, CancellationToken cancellationToken)
    {
        var batch = perSecond > 0 ? Math.Max(1, perSecond / 20) : int.MaxValue;
        for (var i = 0; i < _agents.Count; i++)
        {
            Started[_agents[i].Identity.SerialNumber] = DateTimeOffset.UtcNow;
            _agents[i].Start();
            if (perSecond > 0 && (i + 1) % batch == 0) await Task.Delay(50, cancellationToken);
        }
    }

    public int Connected => _agents.Count(a => a.IsConnected);

    public async Task WaitAllConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Connected < _agents.Count && DateTime.UtcNow < deadline) await Task.Delay(200, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Stop in parallel but bounded, so 20,000 close handshakes do not all start at once.
        await Parallel.ForEachAsync(_agents, new ParallelOptions { MaxDegreeOfParallelism = 256 }, async (agent, _) => await agent.DisposeAsync());
    }
}
