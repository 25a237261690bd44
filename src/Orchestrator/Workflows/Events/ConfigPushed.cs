namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The device accepted the configuration. Secret values are stored as <see cref="PushedParameter.Redacted"/>.</summary>
public sealed record ConfigPushed(
    string SerialNumber,
    string ParameterKey,
    int ApplyStatus,
    IReadOnlyList<PushedParameter> Parameters,
    TraceRef Trace,
    IReadOnlyList<CreatedInstance>? CreatedInstances = null) : IWorkflowEvent;

/// <summary>An object the device lacked, created by this push or an earlier one; the device numbered it <paramref name="Actual"/>.</summary>
public sealed record CreatedInstance(string Requested, string Actual);

public sealed record PushedParameter(string Name, string Value, string Type, bool Secret)
{
    public const string Redacted = "********";
}
