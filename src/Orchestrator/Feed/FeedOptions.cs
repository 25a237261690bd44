namespace Provisioning.Orchestrator.Feed;

/// <summary>"Feed": what StreamProvisioningEvents may cost, so followers can never take the service's memory or store.</summary>
public sealed class FeedOptions
{
    public const string Section = "Feed";

    /// <summary>Concurrent event streams in this instance, all callers together; beyond it RESOURCE_EXHAUSTED.</summary>
    public int MaxStreams { get; set; } = 500;

    /// <summary>Concurrent event streams of one caller (one API key or token subject).</summary>
    public int MaxStreamsPerCaller { get; set; } = 50;

    /// <summary>How long one event may wait for a follower to take it before the stream is ended as too slow.</summary>
    public TimeSpan SlowFollowerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Page reads in flight at once (the feed's own connection pool is this size, apart from the workflows').</summary>
    public int MaxConcurrentReads { get; set; } = 16;

    public IEnumerable<string> Problems()
    {
        if (MaxStreams < 1) yield return $"{Section}:MaxStreams must be at least 1";
        if (MaxStreamsPerCaller < 1) yield return $"{Section}:MaxStreamsPerCaller must be at least 1";
        if (SlowFollowerTimeout <= TimeSpan.Zero) yield return $"{Section}:SlowFollowerTimeout must be positive";
        if (MaxConcurrentReads < 1) yield return $"{Section}:MaxConcurrentReads must be at least 1";
    }
}
