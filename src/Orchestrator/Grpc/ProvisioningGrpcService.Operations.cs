using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Marten;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;
using Domain = Provisioning.Orchestrator.Workflows;
using WorkflowKind = Provisioning.Orchestrator.Workflows.WorkflowKind;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Device operations: each starts a workflow of its kind for an inventory device, refused while another is active.</summary>
public sealed partial class ProvisioningGrpcService
{
    private const int MaxOperationParameters = 100;
    /// <summary>How long a waiting call waits when the caller set no deadline.</summary>
    private static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);

    public override async Task<DeviceOperationResponse> RebootDevice(DeviceOperationRequest request, ServerCallContext context) =>
        await OperateAsync(request, WorkflowKind.Reboot, context);

    public override async Task<DeviceOperationResponse> FactoryResetDevice(DeviceOperationRequest request, ServerCallContext context) =>
        await OperateAsync(request, WorkflowKind.FactoryReset, context);

    public override async Task<DeviceOperationResponse> UpgradeFirmware(UpgradeFirmwareRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation().Require("serial_number", request.SerialNumber, 64).Limit("request_id", request.RequestId, 128);
        FirmwareImage? image = null;
        var named = request.Version.Length > 0 || request.Url.Length > 0 || request.FileSize > 0 || request.Sha256.Length > 0;
        if (named)
        {
            // Named: version and url together; nothing named: the model profile's target, found by the step.
            validation.Image("", request.Version, request.Url, request.FileSize, request.Sha256.Trim(), sizeAndChecksumRequired: false);
            image = new FirmwareImage(request.Version.Trim(), request.Url.Trim(), request.FileSize, request.Sha256.Trim().ToLowerInvariant());
        }
        validation.ThrowIfInvalid();
        var (started, replayed) = await StartOperationAsync(request.SerialNumber, request.RequestId,
            new(DeviceOf(request.SerialNumber), null, Domain.WorkflowTrigger.Oss, Kind: WorkflowKind.UpgradeFirmware, Firmware: image), context);
        var workflow = request.Wait ? await WaitAsync(started, context) : started;
        return new DeviceOperationResponse { Workflow = workflow.ToWire(), Replayed = replayed };
    }

    public override async Task<GetDeviceParametersResponse> GetDeviceParameters(GetDeviceParametersRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation().Require("serial_number", request.SerialNumber, 64).Limit("request_id", request.RequestId, 128);
        ValidateNames(validation, request.ParameterNames.ToList(), allowObjects: true);
        validation.ThrowIfInvalid();

        var (started, replayed) = await StartOperationAsync(request.SerialNumber, request.RequestId,
            new(DeviceOf(request.SerialNumber), null, Domain.WorkflowTrigger.Oss, Kind: WorkflowKind.GetParameters, ParameterNames: [.. request.ParameterNames]), context);
        var ended = await WaitAsync(started, context);
        if (!ended.IsTerminal)
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"workflow {ended.Id} for {ended.SerialNumber} has not ended before the call's deadline; its values will be in 'cpe replay --workflow {ended.Id}'"));
        var response = new GetDeviceParametersResponse { Workflow = ended.ToWire(), Replayed = replayed };
        response.Values.AddRange(ended.Parameters.Select(WorkflowMapping.ToWire));
        return response;
    }

    public override async Task<DeviceOperationResponse> SetDeviceParameters(SetDeviceParametersRequest request, ServerCallContext context)
    {
        // The service is an operator's; an ad-hoc write is an admin's (the audit interceptor records it).
        var user = context.GetHttpContext().User;
        if (!(await authorization.AuthorizeAsync(user, Security.Policies.Admin)).Succeeded)
            throw new RpcException(new Status(StatusCode.PermissionDenied, "SetDeviceParameters needs the admin role"));

        var validation = new RequestValidation().Require("serial_number", request.SerialNumber, 64).Limit("request_id", request.RequestId, 128);
        ValidateNames(validation, request.Parameters.Select(p => p.Name).ToList(), allowObjects: false);
        for (var i = 0; i < request.Parameters.Count; i++) validation.Limit($"parameters[{i}].value", request.Parameters[i].Value, 4096);
        validation.ThrowIfInvalid();

        var (started, replayed) = await StartOperationAsync(request.SerialNumber, request.RequestId,
            new(DeviceOf(request.SerialNumber), null, Domain.WorkflowTrigger.Oss, Kind: WorkflowKind.SetParameters,
                Parameters: request.Parameters.Select(secrets.Seal).ToList()), context);
        var workflow = request.Wait ? await WaitAsync(started, context) : started;
        return new DeviceOperationResponse { Workflow = workflow.ToWire(), Replayed = replayed };
    }

    /// <summary>
    /// A retry does what the original did: the same kind and arguments (a write's sealed secrets taken from its first
    /// event), and a write's retry is an admin's like the write.
    /// </summary>
    private async Task<StartRequest> RetryOfOperationAsync(WorkflowSummary original, StartRequest retry, ServerCallContext context)
    {
        if (original.Kind == WorkflowKind.Provision) return retry;
        IReadOnlyList<RequestedParameter>? parameters = null;
        if (original.Kind == WorkflowKind.SetParameters)
        {
            if (!(await authorization.AuthorizeAsync(context.GetHttpContext().User, Security.Policies.Admin)).Succeeded)
                throw new RpcException(new Status(StatusCode.PermissionDenied, "retrying a set_parameters workflow needs the admin role"));
            await using var session = store.QuerySession();
            var first = await session.Events.FetchStreamAsync(original.Id, version: 1, token: context.CancellationToken);
            parameters = first.Select(e => e.Data).OfType<Workflows.Events.ProvisioningRequested>().FirstOrDefault()?.Parameters;
        }
        return retry with { Kind = original.Kind, ParameterNames = original.ParameterNames, Parameters = parameters, Firmware = original.Firmware };
    }

    private async Task<DeviceOperationResponse> OperateAsync(DeviceOperationRequest request, WorkflowKind kind, ServerCallContext context)
    {
        new RequestValidation().Require("serial_number", request.SerialNumber, 64).Limit("request_id", request.RequestId, 128).ThrowIfInvalid();
        var (started, replayed) = await StartOperationAsync(request.SerialNumber, request.RequestId,
            new(DeviceOf(request.SerialNumber), null, Domain.WorkflowTrigger.Oss, Kind: kind), context);
        var workflow = request.Wait ? await WaitAsync(started, context) : started;
        return new DeviceOperationResponse { Workflow = workflow.ToWire(), Replayed = replayed };
    }

    /// <summary>Placeholder identity: completed from the inventory in <see cref="StartOperationAsync"/>.</summary>
    private static DeviceDescriptor DeviceOf(string serial) => new(serial.Trim(), "", "", Contracts.Common.DeviceProtocol.Unspecified, "");

    private async Task<(WorkflowSummary Workflow, bool Replayed)> StartOperationAsync(string serial, string requestId, StartRequest start, ServerCallContext context)
    {
        await using (var session = store.QuerySession())
        {
            var device = await session.LoadAsync<Devices.DeviceRecord>(serial.Trim(), context.CancellationToken)
                ?? throw RequestValidation.NotFound($"device {serial} is not in the inventory");
            start = start with
            {
                Device = new DeviceDescriptor(device.Id, device.Oui, device.ProductClass, device.Protocol, device.EndpointId),
                RequestId = string.IsNullOrEmpty(requestId) ? null : requestId,
            };
        }
        var outcome = await starter.StartAsync(start, context.CancellationToken);
        if (outcome.Existing)
        {
            var active = outcome.Workflow;
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"device {active.SerialNumber} has an active workflow {active.Id} ({active.Kind.Name()}, at {active.CurrentStep?.Name() ?? "start"}): " +
                $"try again when it has ended, or cancel it"));
        }
        if (outcome.Replayed && outcome.Workflow.Kind != start.Kind)
            throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"request_id {requestId} started workflow {outcome.Workflow.Id} of kind {outcome.Workflow.Kind.Name()}, not {start.Kind.Name()}"));
        return (outcome.Workflow, outcome.Replayed);
    }

    private async Task<WorkflowSummary> WaitAsync(WorkflowSummary started, ServerCallContext context)
    {
        if (started.IsTerminal) return started;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        // A little before the caller's deadline, so the answer (or the not-yet) still reaches it.
        var remaining = context.Deadline == DateTime.MaxValue ? DefaultWait : context.Deadline - DateTime.UtcNow - TimeSpan.FromMilliseconds(300);
        wait.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        return await workflows.WaitForEndAsync(started.Id, wait.Token) ?? started;
    }

    private static void ValidateNames(RequestValidation validation, IReadOnlyList<string> names, bool allowObjects)
    {
        validation.Check(names.Count is > 0 and <= MaxOperationParameters, "parameters", $"must name 1 to {MaxOperationParameters} parameters");
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var isObject = name.EndsWith('.');
            var rooted = name.StartsWith("Device.", StringComparison.Ordinal) || name.StartsWith("InternetGatewayDevice.", StringComparison.Ordinal);
            var path = isObject ? name + "x" : name;
            validation.Check(name.Length <= 256 && rooted && (allowObjects || !isObject) && Contracts.DataModel.ObjectPath.IsRelativeParameter(path),
                $"parameters[{i}]", allowObjects
                    ? "must be a parameter path or a partial path ending in '.' under Device. or InternetGatewayDevice."
                    : "must be a parameter path under Device. or InternetGatewayDevice.");
        }
    }
}
