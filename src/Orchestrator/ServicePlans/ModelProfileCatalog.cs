using Marten;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// The model profiles, read once and kept briefly: every push asks for its device's, and a storm must not turn that
/// into a query per workflow. A change made through this instance is seen at once, one made through another instance
/// within <see cref="Freshness"/>.
/// </summary>
public sealed class ModelProfileCatalog(IDocumentStore store, TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(15);
    // One reference, swapped whole: readers on many threads never see half of an update.
    private Snapshot? _cached;

    private sealed record Snapshot(IReadOnlyList<ModelProfileDocument> Profiles, DateTimeOffset ReadAt);

    public async Task<ModelProfileDocument?> ForAsync(string? manufacturer, string? model, string? firmware, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(manufacturer) || string.IsNullOrWhiteSpace(model)) return null;
        return ModelProfileDocument.For(await AllAsync(cancellationToken), manufacturer, model, firmware);
    }

    private async Task<IReadOnlyList<ModelProfileDocument>> AllAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (Volatile.Read(ref _cached) is { } cached && now - cached.ReadAt < Freshness) return cached.Profiles;
        await using var session = store.QuerySession();
        var profiles = await session.Query<ModelProfileDocument>().ToListAsync(cancellationToken);
        Volatile.Write(ref _cached, new Snapshot(profiles, now));
        return profiles;
    }

    /// <summary>After a change through the admin API: the next push reads the profiles again.</summary>
    public void Invalidate() => Volatile.Write(ref _cached, null);
}
