using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Campaigns;

/// <summary>
/// A campaign's progress from its device workflows: each device counted once, by its latest workflow. The figures the
/// stop rules judge (<see cref="Ended"/>, <see cref="Failed"/>, ...) count only workflows started since the campaign
/// was last resumed: a resume means "what happened before is understood".
/// </summary>
public sealed class CampaignTally
{
    private readonly List<CampaignWorkflow> _judged;

    public CampaignTally(IEnumerable<CampaignWorkflow> workflows, DateTimeOffset? judgedFrom)
    {
        Latest = workflows.GroupBy(w => w.SerialNumber, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.MaxBy(w => w.CreatedAt)!, StringComparer.OrdinalIgnoreCase);
        _judged = Latest.Values.Where(w => judgedFrom is null || w.CreatedAt >= judgedFrom).ToList();
        Ended = _judged.Count(w => w.Status is WorkflowStatus.Succeeded or WorkflowStatus.Failed);
        Failed = _judged.Count(w => w.Status == WorkflowStatus.Failed);
        VerificationFailures = _judged.Count(w => w.Result == WorkflowResult.VerificationFailed);
        // Counted once: the runner reads them every tick, every watcher every half second.
        Running = Latest.Values.Count(w => w.Status == WorkflowStatus.Running);
        Succeeded = Latest.Values.Count(w => w.Status == WorkflowStatus.Succeeded);
        FailedOverall = Latest.Values.Count(w => w.Status == WorkflowStatus.Failed);
        Cancelled = Latest.Values.Count(w => w.Status == WorkflowStatus.Cancelled);
    }

    /// <summary>Each device's latest workflow in this campaign, by serial.</summary>
    public IReadOnlyDictionary<string, CampaignWorkflow> Latest { get; }

    public int Running { get; }
    public int Succeeded { get; }
    public int FailedOverall { get; }
    public int Cancelled { get; }

    public int Ended { get; }
    public int Failed { get; }
    public int VerificationFailures { get; }
    public double FailureRate => Ended == 0 ? 0 : (double)Failed / Ended;

    public CampaignWorkflow? FirstFaultAmong(IReadOnlyCollection<uint> faultCodes) =>
        faultCodes.Count == 0 ? null
        : _judged.Where(w => w.Status == WorkflowStatus.Failed && faultCodes.Contains(w.FaultCode)).MinBy(w => w.CreatedAt);

    public IReadOnlyDictionary<string, int> FailedByResult => Latest.Values.Where(w => w.Status == WorkflowStatus.Failed && w.Result is not null)
        .GroupBy(w => w.Result!.Value.Name()).ToDictionary(g => g.Key, g => g.Count());

    public IReadOnlyDictionary<uint, int> FailedByFaultCode => Latest.Values.Where(w => w.Status == WorkflowStatus.Failed && w.FaultCode != 0)
        .GroupBy(w => w.FaultCode).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Whether every one of <paramref name="serials"/> has a workflow that ended.</summary>
    public bool AllEnded(IEnumerable<string> serials) =>
        serials.All(s => Latest.TryGetValue(s, out var w) && w.Status != WorkflowStatus.Running);
}
