namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// Issue #16's stalled and slow followers, opened beside the measured follower before the storm: what the feed's
/// caps (Feed:MaxStreams, MaxStreamsPerCaller, SlowFollowerTimeout) did with them, for the report.
/// </summary>
public sealed class FollowerCrowd : IAsyncDisposable
{
    /// <summary>Streams opened at once: a crowd of clients arriving, not a thousand handshakes in the same millisecond.</summary>
    private const int OpenParallelism = 32;
    private readonly List<CrowdFollower> _followers = [];
    private readonly int _callers;

    public FollowerCrowd(string grpcUrl, IReadOnlyList<string> operatorKeys, int stalled, int slow)
    {
        _callers = operatorKeys.Count;
        var total = stalled + slow;
        for (var i = 0; i < total; i++)
        {
            // Slow ones spread evenly among the stalled ones, so both kinds meet the per-caller cap in proportion.
            var behaviour = (long)(i + 1) * slow / total > (long)i * slow / total ? CrowdBehaviour.Slow : CrowdBehaviour.Stalled;
            _followers.Add(new CrowdFollower(grpcUrl, operatorKeys[i % operatorKeys.Count], behaviour));
        }
    }

    public int Count => _followers.Count;
    public DateTimeOffset OpenedAt { get; private set; }
    public double OpenSeconds { get; private set; }
    /// <summary>When the last follower had its answer (opening 1,000 streams on a busy box takes tens of seconds).</summary>
    public DateTimeOffset AllOpenAt => OpenedAt + TimeSpan.FromSeconds(OpenSeconds);
    public int Accepted => _followers.Count(f => f.Outcome is CrowdOutcome.Accepted or CrowdOutcome.Ended);

    public async Task OpenAsync(long livePosition, CancellationToken cancellationToken)
    {
        OpenedAt = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(_followers, new ParallelOptions { MaxDegreeOfParallelism = OpenParallelism, CancellationToken = cancellationToken },
            async (follower, token) => await follower.OpenAsync(livePosition, token));
        OpenSeconds = (DateTimeOffset.UtcNow - OpenedAt).TotalSeconds;
    }

    /// <summary>Reads each admitted stalled follower to its status (or until it is caught up and quiet).</summary>
    public Task DrainAsync(TimeSpan quiet, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(_followers, new ParallelOptions { MaxDegreeOfParallelism = OpenParallelism, CancellationToken = cancellationToken },
            async (follower, _) => await follower.DrainAsync(quiet));

    public Dictionary<string, object?> Figures()
    {
        static string Describe(CrowdFollower f) =>
            f.Status is { } s ? $"{s.StatusCode}: {(s.Detail.Length > 160 ? s.Detail[..160] + "…" : s.Detail)}" : "";
        Dictionary<string, object?> Count(IEnumerable<CrowdFollower> followers) =>
            followers.GroupBy(Describe).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => (object?)g.Count());
        var refused = _followers.Where(f => f.Outcome == CrowdOutcome.Refused).ToList();
        var ended = _followers.Where(f => f.Outcome == CrowdOutcome.Ended).ToList();
        var slowEnds = ended.Where(f => f.EndedAfterSeconds is not null).Select(f => f.EndedAfterSeconds!.Value).ToList();
        return new Dictionary<string, object?>
        {
            ["stalled"] = _followers.Count(f => f.Behaviour == CrowdBehaviour.Stalled),
            ["slow"] = _followers.Count(f => f.Behaviour == CrowdBehaviour.Slow),
            ["operator_keys"] = _callers,
            ["open_s"] = Math.Round(OpenSeconds, 1),
            ["accepted"] = Accepted,
            ["accepted_stalled"] = _followers.Count(f => f.Behaviour == CrowdBehaviour.Stalled && f.Outcome is CrowdOutcome.Accepted or CrowdOutcome.Ended),
            ["accepted_slow"] = _followers.Count(f => f.Behaviour == CrowdBehaviour.Slow && f.Outcome is CrowdOutcome.Accepted or CrowdOutcome.Ended),
            ["refused_resource_exhausted"] = refused.Count(f => f.Status?.StatusCode == Grpc.Core.StatusCode.ResourceExhausted),
            ["refused_by_status"] = Count(refused),
            ["no_answer"] = _followers.Count(f => f.Outcome == CrowdOutcome.NoAnswer),
            ["ended_by_server"] = ended.Count,
            ["ended_by_status"] = Count(ended),
            ["slow_ended_after_s_min"] = slowEnds.Count > 0 ? Math.Round(slowEnds.Min(), 1) : null,
            ["slow_ended_after_s_max"] = slowEnds.Count > 0 ? Math.Round(slowEnds.Max(), 1) : null,
            ["still_open_at_end"] = _followers.Count(f => f.Outcome == CrowdOutcome.Accepted),
            ["stalled_events_received"] = _followers.Where(f => f.Behaviour == CrowdBehaviour.Stalled).Sum(f => f.Events),
            ["slow_events_read"] = _followers.Where(f => f.Behaviour == CrowdBehaviour.Slow).Sum(f => f.Events),
        };
    }

    /// <summary>Closes every stream; once (the run closes the crowd before it measures what is left, then leaves its scope).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var follower in _followers) await follower.DisposeAsync();
        _followers.Clear();
    }
}
