using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Telemetry;
using Provisioning.Southbound.Usp.Transport.Mqtt;

namespace Provisioning.Southbound.Usp.Agents;

/// <summary>
/// The connected agents, one session per endpoint ID: the newest authenticated connection wins, and requests still
/// waiting on the connection it replaces fail at once. A connection that did not authenticate never replaces an open
/// one (it would receive what is meant for the real agent), except an MQTT agent re-announcing itself over MQTT.
/// </summary>
internal sealed class AgentRegistry(ILogger<AgentRegistry> logger)
{
    private readonly ConcurrentDictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<AgentSession>> _waiters = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public AgentSession? Find(string endpointId) =>
        _sessions.TryGetValue(endpointId, out var session) && !session.IsClosed ? session : null;

    /// <summary>The new current session, or null when an open session of the endpoint ID stays (the newcomer did not authenticate).</summary>
    public AgentSession? Connect(string endpointId, IAgentLink link, ContactCredential credential = ContactCredential.Unspecified, string? remoteAddress = null, AgentAdmission admission = AgentAdmission.Pending)
    {
        var session = new AgentSession(endpointId, link) { Credential = credential, RemoteAddress = remoteAddress, Admission = admission };
        AgentSession? replaced = null;
        var kept = false;
        _sessions.AddOrUpdate(endpointId, session, (_, old) =>
        {
            replaced = old;
            kept = !old.IsClosed && credential == ContactCredential.Unspecified && !(old.Link is MqttAgentLink && link is MqttAgentLink);
            return kept ? old : session;
        });
        if (kept) return null;
        if (replaced is not null && !replaced.IsClosed)
        {
            replaced.Close("superseded by a newer connection");
            UspTelemetry.AgentConnected(replaced.Mtp, -1);
            if (!ReferenceEquals(replaced.Link, link)) _ = replaced.Link.CloseAsync("superseded by a newer connection").AsTask();
        }
        UspTelemetry.AgentConnected(link.Mtp, 1);
        UspLog.AgentConnected(logger, endpointId, link.Mtp);
        if (_waiters.TryRemove(endpointId, out var waiter)) waiter.TrySetResult(session);
        return session;
    }

    /// <summary>The session's connection ended; it is dropped only if it is still the current one.</summary>
    public void Disconnect(AgentSession session, string reason)
    {
        if (session.IsClosed) return;
        session.Close(reason);
        _sessions.TryRemove(new KeyValuePair<string, AgentSession>(session.EndpointId, session));
        UspTelemetry.AgentConnected(session.Mtp, -1);
        UspLog.AgentDisconnected(logger, session.EndpointId, session.Mtp);
    }

    /// <summary>
    /// The current session, or the next one to connect before the token fires; with <paramref name="other"/>, a session
    /// other than that one (the agent's connection after a reboot, while the old one may not have been seen to close).
    /// </summary>
    public async Task<AgentSession?> WaitForAsync(string endpointId, CancellationToken cancellationToken, AgentSession? other = null)
    {
        while (true)
        {
            if (Find(endpointId) is { } current && !ReferenceEquals(current, other)) return current;
            var waiter = _waiters.GetOrAdd(endpointId, _ => new TaskCompletionSource<AgentSession>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (Find(endpointId) is { } raced && !ReferenceEquals(raced, other)) return raced;
            try
            {
                var session = await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!session.IsClosed && !ReferenceEquals(session, other)) return session;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }
}
