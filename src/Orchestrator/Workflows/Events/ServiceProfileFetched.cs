namespace Provisioning.Orchestrator.Workflows.Events;

public sealed record ServiceProfileFetched(
    string SerialNumber,
    string ServicePlan,
    int ParameterCount,
    bool HasVoip,
    bool HasIptv,
    IReadOnlyList<string> WifiBands,
    TraceRef Trace) : IWorkflowEvent;
