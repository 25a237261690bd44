using Grpc.Core;
using Provisioning.Contracts.DataModel;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Grpc;

/// <summary>Device operations: RPCs in the device's session (a Connection Request first when it has none).</summary>
public sealed partial class DeviceAdapterService
{
    public override async Task<DeviceOperationResponse> FactoryReset(FactoryResetRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        var outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, new Methods.FactoryReset(), deadline.Token);
        return Operation(outcome, "FactoryResetResponse");
    }

    public override async Task<ReadParametersResponse> ReadParameters(ReadParametersRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        var outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, new GetParameterValues([.. request.ParameterNames]), deadline.Token);
        switch (outcome.Response)
        {
            case GetParameterValuesResponse values:
                var response = new ReadParametersResponse();
                foreach (var p in values.ParameterList)
                    response.Values.Add(new Contracts.Common.ParameterValue { Name = p.Name, Value = p.Value, Type = ParameterTypes.FromXsi(p.Type) });
                return response;
            case null:
                return new ReadParametersResponse { Failure = outcome.Failure };
            default:
                return new ReadParametersResponse { Failure = Unusable(outcome.Response, "GetParameterValuesResponse") };
        }
    }

    public override async Task<WriteParametersResponse> WriteParameters(WriteParametersRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        var list = request.Parameters.Select(p => new ParameterValueStruct(p.Name, p.Value, ParameterTypes.ToXsi(p.Type))).ToList();
        var outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, new SetParameterValues(list, request.ParameterKey), deadline.Token);
        return outcome.Response switch
        {
            SetParameterValuesResponse applied => new WriteParametersResponse { ApplyStatus = applied.Status },
            null => new WriteParametersResponse { Failure = outcome.Failure },
            var other => new WriteParametersResponse { Failure = Unusable(other, "SetParameterValuesResponse") },
        };
    }
}
