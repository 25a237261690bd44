using Grpc.Core;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Usp.Agents.Authentication;

/// <summary>
/// The inventory's answer for an endpoint ID (LookupDevice), kept briefly in the shared <see cref="LookupCache{T}"/> so a
/// reconnect storm of thousands of agents, or a fleet of unregistered ones, does not become a storm of lookups.
/// </summary>
internal sealed class AgentDirectory(DeviceContacts.DeviceContactsClient contacts, IOptions<UspOptions> options, TimeProvider time)
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);
    private readonly LookupCache<LookupDeviceResponse> _cache = new(options.Value.Auth.LookupCacheDuration, time: time);

    /// <summary>The inventory entry; throws <see cref="RpcException"/> when the orchestrator cannot answer.</summary>
    public Task<LookupDeviceResponse> LookupAsync(string endpointId, CancellationToken cancellationToken) =>
        _cache.GetAsync(endpointId, () => contacts.LookupDeviceAsync(
            new LookupDeviceRequest { Device = new DeviceRef { EndpointId = endpointId, Protocol = DeviceProtocol.Usp } },
            deadline: DateTime.UtcNow + LookupTimeout).ResponseAsync, cancellationToken);

    /// <summary>Drops the cached answer (an agent admitted after its registration must not wait for the entry to expire).</summary>
    public void Forget(string endpointId) => _cache.Forget(endpointId);
}
