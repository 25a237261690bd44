using System.Diagnostics;

namespace Provisioning.Orchestrator.Workflows.Events;

/// <summary>The span that produced an event, so an analyst can go from the event to its trace and back.</summary>
public sealed record TraceRef(string TraceId, string SpanId)
{
    public static readonly TraceRef None = new("", "");

    public static TraceRef Of(Activity? activity) =>
        activity is null ? None : new TraceRef(activity.TraceId.ToHexString(), activity.SpanId.ToHexString());

    public static TraceRef Current => Of(Activity.Current);

    /// <summary>A link to this span for a new root (none when the reference is empty or not a W3C id).</summary>
    public IReadOnlyList<ActivityLink> Links() => TraceId.Length == 32 && SpanId.Length == 16
        ? [new ActivityLink(new ActivityContext(ActivityTraceId.CreateFromString(TraceId), ActivitySpanId.CreateFromString(SpanId), ActivityTraceFlags.Recorded))]
        : [];
}
