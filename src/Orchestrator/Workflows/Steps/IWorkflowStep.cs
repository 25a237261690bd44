namespace Provisioning.Orchestrator.Workflows.Steps;

public interface IWorkflowStep
{
    WorkflowStep Step { get; }

    /// <summary>
    /// False for a step that works on the store alone (fetch_profile): the step before it then commits its events
    /// together with this one's, one transaction instead of two.
    /// </summary>
    bool ReachesDevice => true;

    /// <summary>Runs the step; <paramref name="cancellationToken"/> fires at the step's deadline or on cancel.</summary>
    Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken);
}
