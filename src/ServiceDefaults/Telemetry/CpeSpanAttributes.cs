namespace Provisioning.ServiceDefaults.Telemetry;

/// <summary>
/// Span attributes every host writes with the same meaning, spelled once: an analyst filters a whole trace (the
/// orchestrator's workflow span and the adapters' session and RPC spans) by one name. (The ACS wrote "workflow.id"
/// where the orchestrator wrote "cpe.workflow_id".)
/// </summary>
public static class CpeSpanAttributes
{
    public const string WorkflowId = "cpe.workflow_id";
    public const string SerialNumber = "cpe.serial_number";
}
