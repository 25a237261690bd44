using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.DataModel;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Authentication;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Sessions;

namespace Provisioning.Southbound.Cwmp.Grpc;

/// <summary>
/// The southbound contract over CWMP: each call becomes RPCs in the device's session and returns when the
/// CPE answered, or with a TIMEOUT failure shortly before the call's deadline (so the answer still arrives).
/// </summary>
public sealed partial class DeviceAdapterService(
    DeviceRpcRunner runner, CpeSessionRegistry sessions, CwmpOptions options, InstanceMaps instanceMaps, MissingInstances missingInstances,
    DeviceCredentialStore credentials, TransferOutcomes transfers)
    : DeviceAdapter.DeviceAdapterBase
{
    private static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(60);

    public override async Task<AuthenticateResponse> Authenticate(AuthenticateRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        var (lease, failure) = await runner.ReachAsync(request.Device, request.WorkflowId, deadline.Token);
        return lease is null
            ? new AuthenticateResponse { Failure = failure }
            : new AuthenticateResponse { Identity = lease.Session.Identity, ReachedVia = lease.ReachedVia };
    }

    public override async Task<PushConfigResponse> PushConfig(PushConfigRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        var serial = request.Device.SerialNumber;
        var outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, SetParameterValuesOf(request, instanceMaps.For(serial, request.Instances)), deadline.Token);
        IReadOnlyList<InstanceNumbering> renumbered = [];
        if (outcome.Failure is { } fault && MissingInstances.MayExplain(fault))
        {
            var creation = await missingInstances.CreateAsync(request.Device, request.WorkflowId, [.. request.Parameters.Select(p => p.Name)],
                fault, instanceMaps.GetOrCreate(serial), request.ParameterKey, deadline.Token);
            if (creation.Failure is not null) return new PushConfigResponse { Failure = creation.Failure };
            renumbered = creation.Renumbered;
            if (creation.Created) outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, SetParameterValuesOf(request, instanceMaps.For(serial)), deadline.Token);
        }
        var response = outcome.Response switch
        {
            SetParameterValuesResponse applied => new PushConfigResponse { ApplyStatus = applied.Status },
            null => new PushConfigResponse { Failure = outcome.Failure },
            var other => new PushConfigResponse { Failure = Unusable(other, "SetParameterValuesResponse") },
        };
        if (response.Failure is null) response.CreatedInstances.Add(renumbered);
        if (response is { Failure: null, ApplyStatus: 1 } && options.RebootToApply
            && await runner.RebootToApplyAsync(request.Device, request.WorkflowId, request.ParameterKey, deadline.Token) is { } notBack)
            return new PushConfigResponse { Failure = notBack };
        return response;
    }

    /// <summary>The push as the CPE numbers its instances.</summary>
    private static SetParameterValues SetParameterValuesOf(PushConfigRequest request, InstanceMap map)
    {
        var list = new ParameterValueStruct[request.Parameters.Count];
        for (var i = 0; i < list.Length; i++)
        {
            var p = request.Parameters[i];
            list[i] = new ParameterValueStruct(map.Apply(p.Name), p.Value, ParameterTypes.ToXsi(p.Type));
        }
        return new SetParameterValues(list, request.ParameterKey);
    }

    public override async Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        // What the push created is a fact about the device, also for an instance of the ACS that did not do it.
        var map = instanceMaps.For(request.Device.SerialNumber, request.Instances);
        // Read as the CPE numbers its instances, answered in the names the orchestrator asked for.
        var asked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in request.ParameterNames) asked.TryAdd(map.Apply(name), name);
        var outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, new GetParameterValues([.. asked.Keys]), deadline.Token);
        switch (outcome.Response)
        {
            case GetParameterValuesResponse values:
                var response = new VerifyResponse();
                foreach (var p in values.ParameterList)
                    response.Values.Add(new Contracts.Common.ParameterValue { Name = asked.GetValueOrDefault(p.Name, p.Name), Value = p.Value, Type = ParameterTypes.FromXsi(p.Type) });
                return response;
            case null:
                return new VerifyResponse { Failure = outcome.Failure };
            default:
                return new VerifyResponse { Failure = Unusable(outcome.Response, "GetParameterValuesResponse") };
        }
    }

    public override async Task<DeviceOperationResponse> Reboot(RebootRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        using var deadline = DeadlineFor(context);
        var outcome = await runner.ExecuteAsync(request.Device, request.WorkflowId, new Methods.Reboot(request.CommandKey), deadline.Token);
        return Operation(outcome, "RebootResponse");
    }

    public override Task<ReleaseResponse> Release(ReleaseRequest request, ServerCallContext context)
    {
        RequireDevice(request.Device);
        credentials.Forget(request.Device.SerialNumber); // the workflow ended: the device may be provisioned now
        var session = sessions.FindByDevice(request.Device.SerialNumber);
        // Only the workflow holding the session may let it go; an empty workflow id releases whatever holds it.
        if (session is not null && (string.IsNullOrEmpty(request.WorkflowId) || session.WorkflowId is null || session.WorkflowId == request.WorkflowId))
            session.Release();
        return Task.FromResult(new ReleaseResponse());
    }

    private static void RequireDevice(Contracts.Common.DeviceRef? device)
    {
        if (string.IsNullOrEmpty(device?.SerialNumber))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "device.serial_number is required"));
    }

    private static DeviceOperationResponse Operation(RpcOutcome outcome, string expected) =>
        outcome.Response is null ? new DeviceOperationResponse { Failure = outcome.Failure }
        : outcome.Response.MethodName == expected ? new DeviceOperationResponse()
        : new DeviceOperationResponse { Failure = Unusable(outcome.Response, expected) };

    private static StepFailure Unusable(CwmpMessage response, string expected) =>
        DeviceRpcRunner.Failure(FailureKind.ProtocolError, $"Expected {expected}, the device answered {response.MethodName}");

    /// <summary>The call's deadline less a margin, so a TIMEOUT answer reaches the caller before its own deadline fires.</summary>
    private static CancellationTokenSource DeadlineFor(ServerCallContext context)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var remaining = context.Deadline == DateTime.MaxValue ? DefaultCallTimeout : context.Deadline - DateTime.UtcNow;
        // Enough margin for the answer to travel back on a busy host, small against a step's deadline.
        var margin = TimeSpan.FromMilliseconds(Math.Clamp(remaining.TotalMilliseconds * 0.15, 100, 1000));
        var budget = remaining - margin;
        source.CancelAfter(budget > TimeSpan.Zero ? budget : TimeSpan.Zero);
        return source;
    }
}
