using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Get;
using Provisioning.Southbound.Usp.Messages.Operate;
using Provisioning.Southbound.Usp.Messages.Set;

namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>Device operations over the agent's open MTP connection (a reconnecting agent is waited for, like a push).</summary>
internal sealed partial class UspDeviceAdapterService
{
    public const string FactoryResetCommand = "Device.FactoryReset()";

    // Not repeated on a new connection: a reset agent that reconnects has done it.
    public override Task<DeviceOperationResponse> FactoryReset(FactoryResetRequest request, ServerCallContext context) =>
        OperateOnConnectedAgentAsync(request.Device, FactoryResetCommand, CommandKey(request.CommandKey, request.WorkflowId), context);

    /// <summary>
    /// A command the agent carries out by going away (reboot, factory reset): sent on its open connection only, not
    /// waited for; it comes back with Boot!.
    /// </summary>
    private async Task<DeviceOperationResponse> OperateOnConnectedAgentAsync(DeviceRef device, string command, string commandKey, ServerCallContext context)
    {
        var endpointId = EndpointIdOf(device);
        using var step = StepToken(context);
        try
        {
            var session = registry.Find(endpointId) ?? throw new AgentNotConnectedException(endpointId);
            await requester.OperateAsync(completions, session, command, commandKey, null, waitForCompletion: false, step.Token);
            return new DeviceOperationResponse();
        }
        catch (UspRequestException ex)
        {
            return new DeviceOperationResponse { Failure = Failure(ex) };
        }
    }

    public override async Task<ReadParametersResponse> ReadParameters(ReadParametersRequest request, ServerCallContext context)
    {
        var endpointId = EndpointIdOf(request.Device);
        using var step = StepToken(context);
        try
        {
            var result = await OnAgentAsync(endpointId, step.Token, session => requester.GetAsync(session, request.ParameterNames, step.Token));
            if (result.PathErrors.Count > 0)
            {
                // A path the agent refused (7026 invalid path, 7016 no such object) fails the read, as a CWMP 9005 does.
                var first = result.PathErrors[0];
                var failure = new StepFailure { Kind = FailureKind.DeviceFault, FaultCode = first.Code, FaultString = first.Message };
                failure.ParameterFaults.AddRange(result.PathErrors.Select(p => new ParameterFault { Name = p.Path, FaultCode = p.Code, FaultString = p.Message }));
                return new ReadParametersResponse { Failure = failure };
            }
            var response = new ReadParametersResponse();
            response.Values.AddRange(result.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new ParameterValue { Name = v.Key, Value = v.Value }));
            return response;
        }
        catch (UspRequestException ex)
        {
            return new ReadParametersResponse { Failure = Failure(ex) };
        }
    }

    public override async Task<WriteParametersResponse> WriteParameters(WriteParametersRequest request, ServerCallContext context)
    {
        var endpointId = EndpointIdOf(request.Device);
        using var step = StepToken(context);
        try
        {
            // The caller names the agent's own paths: no renumbering, no objects created.
            var groups = ConfigPlan.GroupByObject(request.Parameters, new Contracts.DataModel.InstanceMap());
            // A Set of the same values is idempotent: it may run again on the agent's new connection.
            await OnAgentAsync(endpointId, step.Token, async session =>
            {
                await requester.SetAsync(session, groups, step.Token);
                return true;
            });
            return new WriteParametersResponse();
        }
        catch (UspRequestException ex)
        {
            return new WriteParametersResponse { Failure = Failure(ex) };
        }
        catch (ArgumentException ex)
        {
            return new WriteParametersResponse { Failure = new StepFailure { Kind = FailureKind.ProtocolError, FaultString = ex.Message } };
        }
    }
}
