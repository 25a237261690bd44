using System.Diagnostics.Metrics;
using Provisioning.Orchestrator.Telemetry;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Where a live event's delivery time goes, one histogram per stage: its commit (the event's stored timestamp) →
/// the first wake-up after it (this instance's commit or a NOTIFY) → the page read that found it → the write
/// into the follower's stream. Recorded for followed events only (older history than the signal remembers is not).
/// </summary>
public static class FeedLag
{
    public static readonly Histogram<double> CommitToNotify = OrchestratorTelemetry.Meter.CreateHistogram<double>(
        "cpe.feed.commit_to_notify", unit: "ms", description: "From an event's commit to the wake-up of the feed that delivers it");

    public static readonly Histogram<double> NotifyToRead = OrchestratorTelemetry.Meter.CreateHistogram<double>(
        "cpe.feed.notify_to_read", unit: "ms", description: "From the feed's wake-up to the page read that returned the event (gap waits included)");

    public static readonly Histogram<double> ReadToSend = OrchestratorTelemetry.Meter.CreateHistogram<double>(
        "cpe.feed.read_to_send", unit: "ms", description: "From the page read to the event's write into the follower's stream");

    public static readonly Histogram<double> CommitToSend = OrchestratorTelemetry.Meter.CreateHistogram<double>(
        "cpe.feed.commit_to_send", unit: "ms", description: "From an event's commit to its write into the follower's stream");

    private static readonly KeyValuePair<string, object?> WaitedForGap = new("waited_for", "gap");
    private static readonly KeyValuePair<string, object?> WaitedForRead = new("waited_for", "read");
    private static readonly KeyValuePair<string, object?> ReadByLiveFeed = new("read_by", "live");
    private static readonly KeyValuePair<string, object?> ReadByFollower = new("read_by", "store");

    /// <summary>
    /// The stages of one delivered event (wall clock, as the event's timestamp is). <paramref name="previousRead"/>:
    /// when the follower's read before this one began; an event signalled before it was there to see, and was held
    /// back by a missing number below it (notify_to_read's waited_for=gap, else waited_for=read). <paramref name="live"/>:
    /// read by the shared live feed (read_to_send's read_by=live), else by the follower's own catch-up from the store.
    /// </summary>
    public static void Record(DateTimeOffset committed, DateTimeOffset notified, DateTimeOffset? previousRead, DateTimeOffset read, DateTimeOffset sent, bool live = true)
    {
        // A read that found the event before its own signal was told of it (by an earlier commit's) waited for none.
        if (notified > read) notified = read;
        CommitToNotify.Record((notified - committed).TotalMilliseconds);
        var waitedFor = notified <= previousRead ? WaitedForGap : WaitedForRead;
        if (live) NotifyToRead.Record((read - notified).TotalMilliseconds, waitedFor, ReadByLiveFeed);
        else NotifyToRead.Record((read - notified).TotalMilliseconds, waitedFor, ReadByFollower);
        ReadToSend.Record((sent - read).TotalMilliseconds, live ? ReadByLiveFeed : ReadByFollower);
        CommitToSend.Record((sent - committed).TotalMilliseconds);
    }
}
