using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>What a campaign needs of one of its device workflows (read from the workflow summaries by campaign id).</summary>
public sealed record CampaignWorkflow(Guid WorkflowId, string SerialNumber, WorkflowStatus Status, WorkflowResult? Result, uint FaultCode, int Round, DateTimeOffset CreatedAt);
