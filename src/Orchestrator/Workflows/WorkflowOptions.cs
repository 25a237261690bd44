using System.ComponentModel.DataAnnotations;

namespace Provisioning.Orchestrator.Workflows;

/// <summary>Deadlines and capacity of the workflow engine (configuration section "Workflow").</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflow";

    /// <summary>Long enough for a Connection Request and the session that follows (the CPE has ~30 s to call back).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AuthenticateTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Only reads of the orchestrator's own store, but in a storm those queue for a connection behind every other workflow's writes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FetchProfileTimeout { get; set; } = TimeSpan.FromSeconds(30);
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PushConfigTimeout { get; set; } = TimeSpan.FromSeconds(60);
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>A device operation's own step (reboot, factory_reset, get_parameters, set_parameters).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// A firmware upgrade's step: the download, the device's reboot into the image and its report afterwards. A workflow
    /// with an upgrade gets this much more than <see cref="WorkflowTimeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "02:00:00")]
    public TimeSpan UpgradeFirmwareTimeout { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>The whole workflow; past it the workflow ends timed_out whatever step it is in.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WorkflowTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// How many workflows this instance drives at once; the rest wait in its queue. Admission control for a storm:
    /// every workflow driven at once shares the same store connections, so beyond what the store completes promptly
    /// each step waits longer, held CPE sessions expire between steps and each then costs a Connection Request. On
    /// the 2-core benchmark box a 10,000-CPE storm ended 786 workflows unreachable with 4,000 and 11 with 500.
    /// </summary>
    [Range(1, 1000000)]
    public int MaxConcurrentWorkflows { get; set; } = 500;
    /// <summary>
    /// Whether a CWMP push also writes the inventory's credentials to the CPE (ManagementServer.Username/Password and
    /// the Connection Request pair; see ServicePlans.ManagementCredentials). Off only for CPEs whose credentials
    /// something else manages: a CPE that bootstrapped with the factory credential is refused once provisioned.
    /// </summary>
    public bool PushDeviceCredentials { get; set; } = true;
    /// <summary>Pause between attempts when an adapter is unavailable (it is retried until the step deadline).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan AdapterRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Whether the appends of workflows ready at the same moment share one transaction (see WorkflowCommits). Off: each
    /// append is a transaction of its own.
    /// </summary>
    public bool GroupCommit { get; set; } = true;
    /// <summary>Group commits in flight at once (each holds one store connection); appends arriving meanwhile wait for the next.</summary>
    [Range(1, 256)]
    public int CommitConcurrency { get; set; } = 8;
    /// <summary>The most appends in one group commit.</summary>
    [Range(1, 10000)]
    public int MaxCommitBatch { get; set; } = 128;

    /// <summary>How long a new workflow of <paramref name="kind"/> may run: an upgrade's step comes on top.</summary>
    public TimeSpan WorkflowTimeoutOf(WorkflowKind kind) =>
        kind == WorkflowKind.UpgradeFirmware ? WorkflowTimeout + UpgradeFirmwareTimeout : WorkflowTimeout;

    public TimeSpan StepTimeout(WorkflowStep step) => step switch
    {
        WorkflowStep.Authenticate => AuthenticateTimeout,
        WorkflowStep.FetchProfile => FetchProfileTimeout,
        WorkflowStep.PushConfig => PushConfigTimeout,
        WorkflowStep.Verify => VerifyTimeout,
        WorkflowStep.Reboot or WorkflowStep.FactoryReset or WorkflowStep.GetParameters or WorkflowStep.SetParameters => OperationTimeout,
        WorkflowStep.UpgradeFirmware => UpgradeFirmwareTimeout,
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };
}
