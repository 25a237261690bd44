using System.Collections.Concurrent;
using Grpc.Core;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>
/// The kit's stand-in orchestrator with a USP inventory: endpoint IDs (with agent secrets, kept as the contract's salted
/// SHA-256 verifier) and the broker logins made from them. Every contact is answered as a registered device's.
/// </summary>
public sealed class FakeOrchestrator : FakeDeviceContacts
{
    public static Task<FakeOrchestrator> StartAsync() => StartAsync(new FakeOrchestrator());

    public FakeOrchestrator() => Decide = _ => new DeviceContactDecision { Action = ContactAction.None, Registered = true };

    public ConcurrentDictionary<string, bool> Registered { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, (string Sha256Hex, string SaltHex)> AgentSecrets { get; } = new(StringComparer.Ordinal);
    /// <summary>The same secrets as mosquitto hashes: the broker logins ListAgentBrokerLogins answers with.</summary>
    public ConcurrentDictionary<string, string> BrokerPasswordHashes { get; } = new(StringComparer.Ordinal);
    /// <summary>Logins per ListAgentBrokerLogins page (small, so tests see paging).</summary>
    public int BrokerLoginPageSize { get; set; } = 2;
    public ConcurrentQueue<string> Lookups { get; } = new();
    /// <summary>LookupDevice answers Unavailable while set (an orchestrator outage).</summary>
    public volatile bool Unavailable;

    /// <summary>Registers an agent with its own secret.</summary>
    public void RegisterWithSecret(string endpointId, string secret)
    {
        Registered[endpointId] = true;
        AgentSecrets[endpointId] = Contracts.Southbound.AgentSecret.Verifier(secret);
        BrokerPasswordHashes[endpointId] = Contracts.Southbound.BrokerPasswordHash.Make(secret);
    }

    public IReadOnlyList<DeviceContactReport> ReportsOf(string endpointId) =>
        Reports.Where(r => r.Identity.Device.EndpointId == endpointId).ToList();

    public IReadOnlyList<string> EventCodesOf(string endpointId) =>
        ReportsOf(endpointId).SelectMany(r => r.EventCodes).ToList();

    public IReadOnlyList<RefusedContactReport> RefusalsOf(string endpointId) =>
        Refusals.Where(r => r.Device.EndpointId == endpointId).ToList();

    public override Task<LookupDeviceResponse> LookupDevice(LookupDeviceRequest request, ServerCallContext context)
    {
        Lookups.Enqueue(request.Device.EndpointId);
        if (Unavailable) throw new RpcException(new Status(StatusCode.Unavailable, "orchestrator down (test)"));
        var response = new LookupDeviceResponse { Registered = Registered.ContainsKey(request.Device.EndpointId), Device = request.Device };
        if (AgentSecrets.TryGetValue(request.Device.EndpointId, out var secret))
        {
            response.AgentSecretSha256 = secret.Sha256Hex;
            response.AgentSecretSalt = secret.SaltHex;
        }
        return Task.FromResult(response);
    }

    public override Task<ListAgentBrokerLoginsResponse> ListAgentBrokerLogins(ListAgentBrokerLoginsRequest request, ServerCallContext context)
    {
        if (Unavailable) throw new RpcException(new Status(StatusCode.Unavailable, "orchestrator down (test)"));
        var after = BrokerPasswordHashes.Where(l => string.CompareOrdinal(l.Key, request.AfterEndpointId) > 0).OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
        var response = new ListAgentBrokerLoginsResponse();
        response.Logins.Add(after.Take(BrokerLoginPageSize).Select(l => new AgentBrokerLogin { EndpointId = l.Key, PasswordHash = l.Value }));
        if (after.Count > BrokerLoginPageSize) response.NextAfterEndpointId = after[BrokerLoginPageSize - 1].Key;
        return Task.FromResult(response);
    }
}
