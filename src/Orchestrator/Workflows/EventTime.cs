namespace Provisioning.Orchestrator.Workflows;

/// <summary>
/// PostgreSQL keeps microseconds; an inline projection sees the event's in-memory time with 100 ns ticks. Projections
/// use the stored precision so that a rebuild from the events gives exactly the same documents.
/// </summary>
public static class EventTime
{
    public static DateTimeOffset Stored(DateTimeOffset time) => new(time.Ticks - time.Ticks % 10, time.Offset);
}
