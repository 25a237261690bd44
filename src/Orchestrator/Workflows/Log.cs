namespace Provisioning.Orchestrator.Workflows;

/// <summary>The workflow engine's log messages. Device serials are logged; secrets never are.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Workflow {WorkflowId} for {SerialNumber} accepted ({Trigger})")]
    public static partial void Accepted(ILogger logger, Guid workflowId, string serialNumber, WorkflowTrigger trigger);

    [LoggerMessage(1002, LogLevel.Information, "Workflow {WorkflowId} for {SerialNumber} ended {Result}: {Reason}")]
    public static partial void Ended(ILogger logger, Guid workflowId, string serialNumber, string result, string? reason);

    [LoggerMessage(1003, LogLevel.Information, "Resuming workflow {WorkflowId} for {SerialNumber} at step {Step}")]
    public static partial void Resuming(ILogger logger, Guid workflowId, string serialNumber, WorkflowStep? step);

    [LoggerMessage(1004, LogLevel.Warning, "Workflow {WorkflowId}: the event store is unavailable ({Error}); retrying")]
    public static partial void StoreUnavailable(ILogger logger, Guid workflowId, string error);

    [LoggerMessage(1005, LogLevel.Debug, "Workflow {WorkflowId}: releasing the device failed ({Error})")]
    public static partial void ReleaseFailed(ILogger logger, Guid workflowId, string error);

    [LoggerMessage(1006, LogLevel.Error, "Workflow {WorkflowId} stopped unexpectedly")]
    public static partial void DriverCrashed(ILogger logger, Exception exception, Guid workflowId);

    [LoggerMessage(1008, LogLevel.Error, "Workflow {WorkflowId}: step {Step} failed unexpectedly")]
    public static partial void StepCrashed(ILogger logger, Exception exception, Guid workflowId, string step);

    [LoggerMessage(1007, LogLevel.Information, "Resuming {Count} unfinished workflow(s)")]
    public static partial void ResumingUnfinished(ILogger logger, int count);

    [LoggerMessage(1010, LogLevel.Error, "Workflow {WorkflowId}: the device accepted its credential but its pending state could not be recorded")]
    public static partial void CredentialStateNotRecorded(ILogger logger, Exception exception, Guid workflowId);

    [LoggerMessage(1009, LogLevel.Error, "The store refused the events of workflow {WorkflowId}; ending it as failed")]
    public static partial void EventsRefused(ILogger logger, Exception exception, Guid workflowId);

    [LoggerMessage(1011, LogLevel.Warning, "Workflow {WorkflowId}: its summary was at version {SummaryVersion} but its stream at {StreamVersion} (an event appended without its version); folded again from the stream")]
    public static partial void SummaryRefolded(ILogger logger, Guid workflowId, long summaryVersion, long streamVersion);
}
