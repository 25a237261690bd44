using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Cli.Tests.EndToEnd;

/// <summary>
/// Device operations of the stand-in devices: OK-… accept them (a read answers what was written, else "value of NAME");
/// FAULT-… refuse them with 9001 (request denied).
/// </summary>
public sealed partial class StandInDevices
{
    private static StepFailure? Refusal(DeviceRef device) =>
        device.SerialNumber.StartsWith("FAULT-", StringComparison.Ordinal)
            ? new StepFailure { Kind = FailureKind.DeviceFault, FaultCode = 9001, FaultString = "Request denied" }
            : null;

    public override Task<DeviceOperationResponse> Reboot(RebootRequest request, ServerCallContext context) =>
        Task.FromResult(new DeviceOperationResponse { Failure = Refusal(request.Device) });

    public override Task<DeviceOperationResponse> FactoryReset(FactoryResetRequest request, ServerCallContext context) =>
        Task.FromResult(new DeviceOperationResponse { Failure = Refusal(request.Device) });

    public override Task<ReadParametersResponse> ReadParameters(ReadParametersRequest request, ServerCallContext context)
    {
        if (Refusal(request.Device) is { } refused) return Task.FromResult(new ReadParametersResponse { Failure = refused });
        var response = new ReadParametersResponse();
        foreach (var name in request.ParameterNames)
        {
            var value = _values.TryGetValue($"{request.Device.SerialNumber}/{name}", out var v) ? v.Value : "value of " + name;
            response.Values.Add(new ParameterValue { Name = name, Value = value });
        }
        return Task.FromResult(response);
    }

    public override Task<WriteParametersResponse> WriteParameters(WriteParametersRequest request, ServerCallContext context)
    {
        if (Refusal(request.Device) is { } refused) return Task.FromResult(new WriteParametersResponse { Failure = refused });
        foreach (var parameter in request.Parameters) _values[$"{request.Device.SerialNumber}/{parameter.Name}"] = parameter;
        return Task.FromResult(new WriteParametersResponse());
    }

    /// <summary>What a write left on a stand-in device (null: never written).</summary>
    public ParameterValue? Written(string serial, string name) => _values.TryGetValue($"{serial}/{name}", out var v) ? v : null;
}
