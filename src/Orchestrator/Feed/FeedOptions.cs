using System.ComponentModel.DataAnnotations;

namespace Provisioning.Orchestrator.Feed;

/// <summary>"Feed": what StreamProvisioningEvents may cost, so followers can never take the service's memory or store.</summary>
public sealed class FeedOptions
{
    public const string Section = "Feed";

    /// <summary>Concurrent event streams in this instance, all callers together; beyond it RESOURCE_EXHAUSTED.</summary>
    [Range(1, 1000000)]
    public int MaxStreams { get; set; } = 500;

    /// <summary>Concurrent event streams of one caller (one API key or token subject).</summary>
    [Range(1, 1000000)]
    public int MaxStreamsPerCaller { get; set; } = 50;

    /// <summary>How long one event may wait for a follower to take it before the stream is ended as too slow.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SlowFollowerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Events the live feed holds for one follower that has not taken them yet; beyond it the follower is let go of the
    /// shared stream and catches up from the store, so it never holds the others back.
    /// </summary>
    [Range(1, 1000000)]
    public int FollowerBuffer { get; set; } = 1000;

    /// <summary>Page reads in flight at once (the feed's own connection pool is this size, apart from the workflows').</summary>
    [Range(1, 1000)]
    public int MaxConcurrentReads { get; set; } = 16;
}
