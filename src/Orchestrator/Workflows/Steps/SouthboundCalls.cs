using Grpc.Core;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>
/// Calls an adapter with the step's deadline, retrying while the adapter itself is unavailable; a gRPC status that
/// ends the step is put in the workflow's terms by <see cref="WorkflowDecision"/>.
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
                    return (default, WorkflowDecision.AdapterUnavailable(step, e));
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                // The last attempt at an unavailable adapter may still be connecting when the deadline comes.
                if (unavailable is not null) return (default, WorkflowDecision.AdapterUnavailable(step, unavailable));
                return (default, WorkflowDecision.DeviceDidNotAnswer(step));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return (default, WorkflowDecision.AdapterUnavailable(step, e));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                if (unavailable is not null) return (default, WorkflowDecision.AdapterUnavailable(step, unavailable));
                // Our own deadline or a cancel, not the adapter's doing: let the driver tell which.
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e)
            {
                return (default, WorkflowDecision.AdapterError(step, e));
            }
        }
    }

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
