using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Contracts.DataModel;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Add;
using Provisioning.Southbound.Usp.Messages.Get;
using Provisioning.Southbound.Usp.Messages.Notify;
using Provisioning.Southbound.Usp.Messages.Operate;
using Provisioning.Southbound.Usp.Messages.Set;
using Provisioning.Southbound.Usp.Onboarding;

namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>
/// The southbound contract for USP agents. Each call returns when the agent has answered or the call's
/// deadline (the orchestrator's step deadline) passes; device problems are StepFailures, not RPC errors.
/// </summary>
internal sealed partial class UspDeviceAdapterService(
    AgentRegistry registry,
    UspRequester requester,
    OperationCompletions completions,
    AwaitedBoots boots,
    InstanceMaps instanceMaps,
    IOptions<UspOptions> options,
    ILogger<UspDeviceAdapterService> logger) : DeviceAdapter.DeviceAdapterBase
{
    public const string RebootCommand = "Device.Reboot()";

    public override async Task<AuthenticateResponse> Authenticate(AuthenticateRequest request, ServerCallContext context)
    {
        var endpointId = EndpointIdOf(request.Device);
        // A rebooting agent reconnects within seconds: wait for it, bounded by the deadline.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        // Answer UNREACHABLE a little before the deadline, so the orchestrator sees a typed failure rather than DEADLINE_EXCEEDED.
        var beforeDeadline = context.Deadline == DateTime.MaxValue ? options.Value.ReconnectWait : BeforeDeadline(context.Deadline - DateTime.UtcNow);
        var waitFor = beforeDeadline < options.Value.ReconnectWait ? beforeDeadline : options.Value.ReconnectWait;
        wait.CancelAfter(waitFor > TimeSpan.Zero ? waitFor : TimeSpan.Zero);
        var session = registry.Find(endpointId) ?? await registry.WaitForAsync(endpointId, wait.Token);
        if (session is null) return new AuthenticateResponse { Failure = Failure(new AgentNotConnectedException(endpointId)) };
        try
        {
            var identity = session.Identity;
            if (identity is null)
            {
                using var step = StepToken(context);
                var values = await requester.GetAsync(session, FirstContact.IdentityParameters, step.Token);
                identity = FirstContact.IdentityFrom(session, values.Values);
                session.Identity = identity;
            }
            var asked = request.Device.SerialNumber;
            if (!string.IsNullOrEmpty(asked) && !string.IsNullOrEmpty(identity.Device.SerialNumber) && asked != identity.Device.SerialNumber)
            {
                return new AuthenticateResponse
                {
                    Identity = identity,
                    Failure = new StepFailure { Kind = FailureKind.IdentityMismatch, FaultString = $"agent {endpointId} reports serial number {identity.Device.SerialNumber}" },
                };
            }
            return new AuthenticateResponse { Identity = identity, ReachedVia = ReachedVia.MtpConnection };
        }
        catch (UspRequestException ex)
        {
            return new AuthenticateResponse { Failure = Failure(ex) };
        }
    }

    public override async Task<PushConfigResponse> PushConfig(PushConfigRequest request, ServerCallContext context)
    {
        var endpointId = EndpointIdOf(request.Device);
        using var step = StepToken(context);
        try
        {
            return await OnAgentAsync(endpointId, step.Token, session => PushAsync(session, request, step.Token));
        }
        catch (UspRequestException ex)
        {
            return new PushConfigResponse { Failure = Failure(ex) };
        }
        catch (ArgumentException ex)
        {
            return new PushConfigResponse { Failure = new StepFailure { Kind = FailureKind.ProtocolError, FaultString = ex.Message } };
        }
    }

    private async Task<PushConfigResponse> PushAsync(AgentSession session, PushConfigRequest request, CancellationToken cancellationToken)
    {
        var endpointId = session.EndpointId;
        var parameters = await InAgentNumberingAsync(session, request.Parameters, cancellationToken);
        var groups = ConfigPlan.GroupByObject(parameters, instanceMaps.For(endpointId, request.Instances));
        if (groups.Count == 0) return new PushConfigResponse();
        try
        {
            await requester.SetAsync(session, groups, cancellationToken);
        }
        catch (UspErrorException ex) when (MissingInstances.MayExplain(ex))
        {
            var outcome = await MissingInstances.CreateAsync(requester, session, parameters, instanceMaps.GetOrCreate(endpointId), cancellationToken);
            if (outcome is not { } done) throw; // every object exists: the agent's error stands
            if (done.ToSet.Count > 0) await requester.SetAsync(session, done.ToSet, cancellationToken);
            var response = new PushConfigResponse { ApplyStatus = 0 };
            response.CreatedInstances.Add(done.Renumbered);
            return response;
        }
        return new PushConfigResponse { ApplyStatus = 0 };
    }

    /// <summary>The plan's parameters with this controller's own Controller entry resolved to the agent's instance.</summary>
    private async Task<IReadOnlyList<ParameterValue>> InAgentNumberingAsync(AgentSession session, IReadOnlyList<ParameterValue> parameters, CancellationToken cancellationToken)
    {
        if (!OwnController.Named(parameters.Select(p => p.Name))) return parameters;
        var own = await OwnController.ResolveAsync(requester, session, options.Value.EndpointId, cancellationToken);
        return OwnController.Apply(parameters, own);
    }

    public override async Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context)
    {
        var endpointId = EndpointIdOf(request.Device);
        using var step = StepToken(context);
        try
        {
            // What the push created is a fact about the agent, also for a controller instance that did not do it.
            var map = instanceMaps.For(endpointId, request.Instances);
            string? own = null;
            var result = await OnAgentAsync(endpointId, step.Token, async session =>
            {
                own = OwnController.Named(request.ParameterNames)
                    ? await OwnController.ResolveAsync(requester, session, options.Value.EndpointId, step.Token) : null;
                return await requester.GetAsync(session, request.ParameterNames.Select(n => map.Apply(OwnController.Apply(n, own))).Distinct(StringComparer.Ordinal), step.Token);
            });
            var response = new VerifyResponse();
            // Answered under the names the plan used, so the orchestrator compares like with like.
            foreach (var name in request.ParameterNames)
            {
                if (result.Values.TryGetValue(map.Apply(OwnController.Apply(name, own)), out var value))
                    response.Values.Add(new ParameterValue { Name = name, Value = value });
            }
            return response;
        }
        catch (UspRequestException ex)
        {
            return new VerifyResponse { Failure = Failure(ex) };
        }
    }

    public override Task<DeviceOperationResponse> Reboot(RebootRequest request, ServerCallContext context) =>
        OperateOnConnectedAgentAsync(request.Device, RebootCommand, CommandKey(request.CommandKey, request.WorkflowId), context);

    /// <summary>USP agents keep their connection; there is nothing to let go of.</summary>
    public override Task<ReleaseResponse> Release(ReleaseRequest request, ServerCallContext context) => Task.FromResult(new ReleaseResponse());

    /// <summary>
    /// Runs an exchange with the agent's current connection. A rebooting agent is waited for (within
    /// Usp:ReconnectWait and the step); when the connection drops or is replaced mid-request, the old
    /// request fails at once and the exchange (idempotent: Set of the same values, Get) runs again on the
    /// agent's new connection if it comes back before the step's deadline.
    /// </summary>
    private async Task<T> OnAgentAsync<T>(string endpointId, CancellationToken cancellationToken, Func<AgentSession, Task<T>> exchange)
    {
        var session = await ConnectedAsync(endpointId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await exchange(session);
            }
            catch (AgentDisconnectedException) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                var next = await registry.WaitForAsync(endpointId, cancellationToken);
                if (next is null || ReferenceEquals(next, session)) throw;
                session = next;
            }
        }
    }

    /// <summary>The agent's current session, waiting for one that is rebooting (within Usp:ReconnectWait and the step).</summary>
    private async Task<AgentSession> ConnectedAsync(string endpointId, CancellationToken cancellationToken)
    {
        if (registry.Find(endpointId) is { } session) return session;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(options.Value.ReconnectWait);
        return await registry.WaitForAsync(endpointId, wait.Token) ?? throw new AgentNotConnectedException(endpointId);
    }

    /// <summary>
    /// Cancelled a little before the call's deadline: the agent's lateness then reaches the orchestrator as a
    /// typed TIMEOUT failure instead of a bare DEADLINE_EXCEEDED.
    /// </summary>
    private static CancellationTokenSource StepToken(ServerCallContext context)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        if (context.Deadline != DateTime.MaxValue)
        {
            var usable = BeforeDeadline(context.Deadline - DateTime.UtcNow);
            cts.CancelAfter(usable > TimeSpan.Zero ? usable : TimeSpan.Zero);
        }
        return cts;
    }

    /// <summary>The part of the remaining time usable for the agent: a margin (a quarter, at most 500 ms) is kept for the answer to travel back.</summary>
    private static TimeSpan BeforeDeadline(TimeSpan remaining) =>
        remaining - TimeSpan.FromMilliseconds(Math.Min(500, remaining.TotalMilliseconds / 4));

    private static string CommandKey(string commandKey, string workflowId) =>
        !string.IsNullOrEmpty(commandKey) ? commandKey : !string.IsNullOrEmpty(workflowId) ? workflowId : Guid.NewGuid().ToString("N");

    private static string EndpointIdOf(DeviceRef? device)
    {
        if (device is null || string.IsNullOrEmpty(device.EndpointId))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "device.endpoint_id is required for a USP agent"));
        return device.EndpointId;
    }

    private static StepFailure Failure(UspRequestException ex)
    {
        var failure = new StepFailure { Kind = ex.Kind, FaultCode = ex.Code, FaultString = ex.Message };
        if (ex is UspErrorException error)
        {
            failure.ParameterFaults.AddRange(error.ParamErrors.Select(p => new ParameterFault { Name = p.Path, FaultCode = p.Code, FaultString = p.Message }));
        }
        return failure;
    }
}
