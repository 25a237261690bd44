using Provisioning.ServiceDefaults.Telemetry;
using System.Diagnostics;
using Provisioning.Orchestrator.Telemetry;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>The root span of a workflow: started by what accepted it, or linked to the original trace on resume.</summary>
public static class WorkflowSpans
{
    /// <summary>Starts <c>cpe.provision</c> as a child of the current span (the ProvisionDevice / ReportDeviceContact server span) and restores Current.</summary>
    public static Activity? StartRoot(Guid workflowId, Events.DeviceDescriptor device, WorkflowTrigger trigger, WorkflowKind kind = WorkflowKind.Provision)
    {
        var parent = Activity.Current;
        var root = OrchestratorTelemetry.Source.StartActivity(OrchestratorTelemetry.ProvisionSpan, ActivityKind.Internal);
        Activity.Current = parent;
        Tag(root, workflowId, device.SerialNumber, device.Oui, device.ProductClass, device.Protocol.ToString(), trigger);
        root?.SetTag("cpe.workflow_kind", kind.Name());
        return root;
    }

    /// <summary>A new root for a workflow picked up after a restart, linked to the trace it started in.</summary>
    public static Activity? StartResumed(WorkflowSummary summary)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var root = OrchestratorTelemetry.Source.StartActivity(OrchestratorTelemetry.ProvisionSpan, ActivityKind.Internal,
            parentContext: default, tags: null, links: new Events.TraceRef(summary.TraceId, summary.RootSpanId).Links());
        Activity.Current = previous;
        Tag(root, summary.Id, summary.SerialNumber, summary.Oui, summary.ProductClass, summary.Protocol.ToString(), summary.Trigger);
        root?.SetTag("cpe.resumed", true);
        root?.SetTag("cpe.workflow_kind", summary.Kind.Name());
        return root;
    }

    /// <summary>Drops a root whose workflow was never stored (its transaction lost a race), so no orphan span is exported.</summary>
    public static void Discard(Activity? root)
    {
        if (root is null) return;
        root.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        root.IsAllDataRequested = false;
        root.Dispose();
    }

    public static void End(Activity? root, WorkflowSummary summary)
    {
        if (root is null) return;
        root.SetTag("cpe.result", summary.Result?.Name());
        root.SetTag("cpe.model", summary.Model);
        root.SetTag("cpe.service_plan", summary.ServicePlan);
        if (summary.Result is { } result && result != WorkflowResult.Success)
        {
            root.SetTag("cpe.failed_step", summary.FailedStep?.Name());
            root.SetTag("cpe.fault_code", summary.FaultCode);
            root.SetStatus(ActivityStatusCode.Error, summary.FailureReason ?? result.Name());
        }
        root.Dispose();
    }

    private static void Tag(Activity? root, Guid workflowId, string serial, string oui, string productClass, string protocol, WorkflowTrigger trigger)
    {
        if (root is null) return;
        root.SetTag(CpeSpanAttributes.WorkflowId, workflowId.ToString());
        root.SetTag(CpeSpanAttributes.SerialNumber, serial);
        root.SetTag("cpe.oui", oui);
        root.SetTag("cpe.product_class", productClass);
        root.SetTag("cpe.protocol", protocol);
        root.SetTag("cpe.trigger", trigger.ToString());
    }
}
