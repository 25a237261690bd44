namespace Provisioning.Orchestrator.Workflows;

/// <summary>Deadlines and capacity of the workflow engine (configuration section "Workflow").</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflow";

    /// <summary>Long enough for a Connection Request and the session that follows (the CPE has ~30 s to call back).</summary>
    public TimeSpan AuthenticateTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan FetchProfileTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan PushConfigTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>The whole workflow; past it the workflow ends timed_out whatever step it is in.</summary>
    public TimeSpan WorkflowTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How many workflows this instance drives at once; the rest wait in its queue.</summary>
    public int MaxConcurrentWorkflows { get; set; } = 4000;
    /// <summary>Pause between attempts when an adapter is unavailable (it is retried until the step deadline).</summary>
    public TimeSpan AdapterRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan StepTimeout(WorkflowStep step) => step switch
    {
        WorkflowStep.Authenticate => AuthenticateTimeout,
        WorkflowStep.FetchProfile => FetchProfileTimeout,
        WorkflowStep.PushConfig => PushConfigTimeout,
        WorkflowStep.Verify => VerifyTimeout,
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };
}
