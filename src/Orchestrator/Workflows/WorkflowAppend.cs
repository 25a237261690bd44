using Marten;
using Provisioning.Orchestrator.Coordination;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Workflows.Steps;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// What one driver append writes, alone or beside others in a group commit: the lease check (fencing), the events at
/// the version they were decided on, and for a terminal decision the device's release.
/// </summary>
internal static class WorkflowAppend
{
    public static void Queue(IDocumentSession session, WorkflowLeases leases, WorkflowContext context, object[] events, WorkflowDecision decision)
    {
        var (assertSql, assertParameters) = leases.AssertFor(context.WorkflowId);
        session.QueueSqlCommand(assertSql, assertParameters);
        session.Events.Append(context.WorkflowId, context.Stored.Version + events.Length, events);
        if (decision.Decided.IsTerminal)
        {
            session.Delete<ActiveWorkflowClaim>(context.Summary.SerialNumber);
            var (deleteSql, deleteParameters) = leases.DeleteFor(context.WorkflowId);
            session.QueueSqlCommand(deleteSql, deleteParameters);
        }
        if (decision.Result == WorkflowResult.Success && context.Device is { } device)
        {
            session.Store(device with { Provisioned = true, ProvisionedAt = DateTimeOffset.UtcNow });
        }
    }

    public static object[] Events(WorkflowContext context, WorkflowDecision decision) => [.. context.Held, .. decision.Events];
}
