using Grpc.Net.ClientFactory;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Southbound;

/// <summary>The southbound adapter that speaks a device's protocol, always reached over gRPC.</summary>
public sealed class DeviceAdapters(GrpcClientFactory factory)
{
    public const string CwmpClient = "cwmp";
    public const string UspClient = "usp";

    public DeviceAdapter.DeviceAdapterClient For(DeviceProtocol protocol) => protocol switch
    {
        DeviceProtocol.Cwmp => factory.CreateClient<DeviceAdapter.DeviceAdapterClient>(CwmpClient),
        DeviceProtocol.Usp => factory.CreateClient<DeviceAdapter.DeviceAdapterClient>(UspClient),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "the device's protocol is not known"),
    };
}
