using Grpc.Core;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>
/// Calls an adapter with the step's deadline, retrying while the adapter itself is unavailable, and turns
/// what comes back (a StepFailure or a gRPC status) into the workflow's terms.
/// </summary>
public sealed class SouthboundCalls(IOptions<WorkflowOptions> options)
{
    public async Task<(T? Response, StepFailureDetail? Failure)> CallAsync<T>(
        WorkflowStep step, DateTime deadlineUtc, CancellationToken cancellationToken,
        Func<CallOptions, AsyncUnaryCall<T>> call)
    {
        // Once the adapter has been found unavailable, that is what the step failed on, even if the deadline then
        // interrupts a pause or a further attempt (on a loaded box it often does): not a timeout.
        RpcException? unavailable = null;
        while (true)
        {
            try
            {
                var response = await call(new CallOptions(deadline: deadlineUtc, cancellationToken: cancellationToken));
                return (response, null);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow + options.Value.AdapterRetryDelay < deadlineUtc)
            {
                unavailable = e;
                try
                {
                    await Task.Delay(options.Value.AdapterRetryDelay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return (default, AdapterUnavailable(step, e));
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                // The last attempt at an unavailable adapter may still be connecting when the deadline comes.
                if (unavailable is not null) return (default, AdapterUnavailable(step, unavailable));
                return (default, new StepFailureDetail(WorkflowResult.TimedOut, $"{step.Name()}: the device did not answer before the step deadline"));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return (default, AdapterUnavailable(step, e));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                if (unavailable is not null) return (default, AdapterUnavailable(step, unavailable));
                // Our own deadline or a cancel, not the adapter's doing: let the driver tell which.
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e)
            {
                return (default, new StepFailureDetail(FaultResult(step), $"{step.Name()}: adapter error {e.StatusCode} ({e.Status.Detail})"));
            }
        }
    }

    private static StepFailureDetail AdapterUnavailable(WorkflowStep step, RpcException e) =>
        new(WorkflowResult.DeviceUnreachable, $"{step.Name()}: adapter unavailable ({e.Status.Detail})");

    /// <summary>Maps an adapter's StepFailure to the workflow's terminal result.</summary>
    public static StepFailureDetail FromAdapter(WorkflowStep step, StepFailure failure)
    {
        var faultString = DeviceText.Printable(failure.FaultString, 1024);
        var result = failure.Kind switch
        {
            FailureKind.Unreachable => WorkflowResult.DeviceUnreachable,
            FailureKind.Timeout => WorkflowResult.TimedOut,
            FailureKind.IdentityMismatch => WorkflowResult.UnknownDevice,
            _ => FaultResult(step),
        };
        var reason = failure.FaultCode != 0
            ? $"{step.Name()}: device fault {failure.FaultCode} {faultString}".TrimEnd()
            : $"{step.Name()}: {Describe(failure.Kind)}{(string.IsNullOrEmpty(faultString) ? "" : $" ({faultString})")}";
        return new StepFailureDetail(
            result,
            reason,
            failure.FaultCode,
            string.IsNullOrEmpty(faultString) ? null : faultString,
            failure.ParameterFaults.Take(100).Select(f => new ParameterFaultRecord(DeviceText.Printable(f.Name), f.FaultCode, DeviceText.Printable(f.FaultString))).ToList());
    }

    private static WorkflowResult FaultResult(WorkflowStep step) => step switch
    {
        WorkflowStep.PushConfig => WorkflowResult.ConfigPushFailed,
        WorkflowStep.Verify => WorkflowResult.VerificationFailed,
        _ => WorkflowResult.DeviceUnreachable,
    };

    private static string Describe(FailureKind kind) => kind switch
    {
        FailureKind.Unreachable => "device unreachable",
        FailureKind.Timeout => "device did not answer in time",
        FailureKind.IdentityMismatch => "device identity does not match",
        FailureKind.DeviceFault => "device fault",
        FailureKind.ProtocolError => "protocol error",
        _ => "failed",
    };

    public static IEnumerable<InstanceNumbering> ToWire(IEnumerable<CreatedInstance> instances) =>
        instances.Select(i => new InstanceNumbering { Requested = i.Requested, Actual = i.Actual });

    public static DeviceRef ToRef(DeviceDescriptor device) => new()
    {
        SerialNumber = device.SerialNumber,
        Oui = device.Oui,
        ProductClass = device.ProductClass,
        Protocol = device.Protocol,
        EndpointId = device.EndpointId,
    };
}
