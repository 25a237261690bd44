namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>A live read's answer, as the device named the parameters. Secret values are stored as <see cref="PushedParameter.Redacted"/>.</summary>
public sealed record ParametersRead(string SerialNumber, IReadOnlyList<PushedParameter> Values, TraceRef Trace) : IWorkflowEvent;
