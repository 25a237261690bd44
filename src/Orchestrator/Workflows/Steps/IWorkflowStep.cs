namespace Provisioning.Orchestrator.Workflows.Steps;

public interface IWorkflowStep
{
    WorkflowStep Step { get; }

    /// <summary>Runs the step; <paramref name="cancellationToken"/> fires at the step's deadline or on cancel.</summary>
    Task<StepOutcome> ExecuteAsync(WorkflowContext context, DateTime deadlineUtc, CancellationToken cancellationToken);
}
