namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The device accepted the configuration. Secret values are stored as <see cref="PushedParameter.Redacted"/>.</summary>
public sealed record ConfigPushed(
    string SerialNumber,
    string ParameterKey,
    int ApplyStatus,
    IReadOnlyList<PushedParameter> Parameters,
    TraceRef Trace) : IWorkflowEvent;

public sealed record PushedParameter(string Name, string Value, string Type, bool Secret)
{
    public const string Redacted = "********";
}
