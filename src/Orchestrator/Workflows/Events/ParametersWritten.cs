namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The device applied an ad-hoc write. Secret values are stored as <see cref="PushedParameter.Redacted"/>.</summary>
public sealed record ParametersWritten(string SerialNumber, string ParameterKey, int ApplyStatus, IReadOnlyList<PushedParameter> Parameters, TraceRef Trace) : IWorkflowEvent;
