using Marten;
using Marten.Services;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// Evicts from <see cref="DeviceContactCache"/> every device record, route and credential this instance commits, before
/// the commit returns: the writer's own next lookup sees its change without waiting for the NOTIFY.
/// </summary>
public sealed class DeviceChangeListener(DeviceContactCache cache) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var document in commit.Inserted.Concat(commit.Updated))
        {
            switch (document)
            {
                case DeviceRecord record: cache.Evict(record.Id); break;
                case DeviceRoute route: cache.Evict(route.Id); break;
                case DeviceCredential credential: cache.Evict(credential.Id); break;
            }
        }
        foreach (var deletion in commit.Deleted)
        {
            if (deletion.DocumentType != typeof(DeviceRecord) && deletion.DocumentType != typeof(DeviceRoute) && deletion.DocumentType != typeof(DeviceCredential)) continue;
            if (deletion.Id is string id) cache.Evict(id);
            else cache.Clear(); // deleted by a condition: which devices is not known here
        }
        return Task.CompletedTask;
    }
}
