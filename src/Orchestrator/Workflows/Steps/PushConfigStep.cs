using System.Diagnostics;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Southbound;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Workflows.Steps;

/// <summary>The adapter applies the rendered parameters (CWMP SetParameterValues / USP Set) under the workflow's ParameterKey.</summary>
public sealed class PushConfigStep(WorkflowContextLoader loader, DeviceAdapters adapters, SouthboundCalls calls, Devices.CredentialLifecycle credentials,
    ILogger<PushConfigStep> logger) : IWorkflowStep
{
    public WorkflowStep Step => WorkflowStep.PushConfig;

    /// <summary>CWMP limits ParameterKey to 32 characters; the workflow id identifies the push.</summary>
    public static string ParameterKeyOf(Guid workflowId) => "wf" + workflowId.ToString("N")[..30];

    /// <summary>The device's numbering after this push: what earlier pushes created, and what this one did (null: none).</summary>
    private static List<CreatedInstance>? Numbering(IReadOnlyList<CreatedInstance> known, IEnumerable<InstanceNumbering> createdNow)
    {
        var all = known.ToDictionary(i => i.Requested, i => i.Actual, StringComparer.Ordinal);
        foreach (var created in createdNow) all[created.Requested] = created.Actual;
        return all.Count == 0 ? null : all.Select(i => new CreatedInstance(i.Key, i.Value)).ToList();
    }

    public async Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken)
    {
        var lookup = await loader.ProfileAsync(context, cancellationToken);
        if (WorkflowDecision.WithoutProfile(lookup) is { } failure) return StepOutcome.Failed(failure);
        var rendered = lookup.Profile!;

        var span = Activity.Current;
        span?.SetTag("cpe.service_plan", rendered.PlanName);
        span?.SetTag("cpe.config.param_count", rendered.Parameters.Count);
        span?.SetTag("cpe.config.has_voip", rendered.HasVoip);
        span?.SetTag("cpe.config.has_iptv", rendered.HasIptv);
        span?.SetTag("cpe.config.wifi_bands", string.Join(",", rendered.WifiBands));

        var target = WorkflowContextLoader.Target(context);
        var parameterKey = ParameterKeyOf(context.WorkflowId);
        var request = new PushConfigRequest
        {
            Device = SouthboundCalls.ToRef(target),
            WorkflowId = context.WorkflowId.ToString(),
            ParameterKey = parameterKey,
        };
        request.Parameters.AddRange(rendered.Parameters.Select(p => new ParameterValue { Name = p.Name, Value = p.Value, Type = p.Type, Secret = p.Secret }));
        var known = await loader.KnownInstancesAsync(context, cancellationToken);
        request.Instances.AddRange(SouthboundCalls.ToWire(known));

        var adapter = adapters.For(target.Protocol, await loader.RouteAsync(context, cancellationToken));
        var (response, callFailure) = await calls.CallAsync(Step, deadlineUtc, cancellationToken, o => adapter.PushConfigAsync(request, o));
        if (callFailure is not null) return StepOutcome.Failed(callFailure);
        if (response!.Failure is { } adapterFailure) return StepOutcome.Failed(WorkflowDecision.FromAdapter(Step, adapterFailure));
        if (context.Device is { } device && rendered.Parameters.Any(ServicePlans.ManagementCredentials.IsDevicePassword))
        {
            // The device accepted its own credential: until it proves it, what it used for this session stays offered.
            try
            {
                await credentials.PushedAsync(device, context.WorkflowId, TraceRef.Current.TraceId, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The device has its configuration: book-keeping that failed (conflicts were retried) must not undo that.
                Log.CredentialStateNotRecorded(logger, e, context.WorkflowId);
            }
        }

        return StepOutcome.Done(new ConfigPushed(
            context.Summary.SerialNumber,
            parameterKey,
            response.ApplyStatus,
            rendered.Parameters.Select(p => new PushedParameter(p.Name, p.Secret ? PushedParameter.Redacted : p.Value, p.Type.ToString(), p.Secret)).ToList(),
            TraceRef.Current,
            Numbering(known, response.CreatedInstances)));
    }
}
