using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Southbound;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>What every operation step needs to call the adapter that holds the device: its address and the route.</summary>
public sealed class DeviceOperationCall(WorkflowContextLoader loader, DeviceAdapters adapters)
{
    public async Task<(Contracts.Southbound.DeviceAdapter.DeviceAdapterClient Adapter, DeviceRef Device)> ForAsync(WorkflowContext context, CancellationToken cancellationToken)
    {
        await loader.DeviceAsync(context, cancellationToken);
        var target = WorkflowContextLoader.Target(context);
        return (adapters.For(target.Protocol, await loader.RouteAsync(context, cancellationToken)), SouthboundCalls.ToRef(target));
    }
}
