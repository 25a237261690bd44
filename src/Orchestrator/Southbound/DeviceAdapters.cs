using System.Collections.Concurrent;
using Grpc.Net.Client;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Southbound;

/// <summary>
/// The southbound adapter that speaks a device's protocol, always reached over gRPC: the instance that holds the
/// device's session when one is known (routing), else the configured address of that protocol's adapters.
/// </summary>
public sealed partial class DeviceAdapters(GrpcClientFactory factory, IHttpMessageHandlerFactory handlers, IOptions<AdapterOptions> options,
    AdapterRegistry registry, ILogger<DeviceAdapters> logger)
{
    public const string CwmpClient = "cwmp";
    public const string UspClient = "usp";

    private readonly ConcurrentDictionary<(string Client, string Address), DeviceAdapter.DeviceAdapterClient> _routed = new();

    public DeviceAdapter.DeviceAdapterClient For(DeviceProtocol protocol, string? instanceAddress = null)
    {
        var (client, configured) = protocol switch
        {
            DeviceProtocol.Cwmp => (CwmpClient, options.Value.Cwmp),
            DeviceProtocol.Usp => (UspClient, options.Value.Usp),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "the device's protocol is not known"),
        };
        if (string.IsNullOrEmpty(instanceAddress) || SameAddress(instanceAddress, configured))
            return factory.CreateClient<DeviceAdapter.DeviceAdapterClient>(client);
        if (!registry.IsRegistered(instanceAddress))
        {
            // A route recorded before the address was unregistered (or written around the contact check): the
            // internal key goes to registered instances only, so the configured one serves the device.
            UnregisteredRoute(logger, instanceAddress);
            return factory.CreateClient<DeviceAdapter.DeviceAdapterClient>(client);
        }

        // Same handlers (TLS) as the configured client and the same internal credential, another instance's address.
        // The configured client's handler chain (TLS trust, the internal key) with another instance's address.
        return _routed.GetOrAdd((client, instanceAddress), key => new DeviceAdapter.DeviceAdapterClient(
            GrpcChannel.ForAddress(key.Address, new GrpcChannelOptions { HttpHandler = handlers.CreateHandler(key.Client) })));
    }

    private static bool SameAddress(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(4021, LogLevel.Warning, "Not routing to {Address}: it is not a registered adapter instance (Orchestrator:Adapters); using the configured one")]
    private static partial void UnregisteredRoute(ILogger logger, string address);
}
