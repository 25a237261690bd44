using Google.Protobuf.WellKnownTypes;
using JasperFx.Events;
using Marten;
using Provisioning.Orchestrator.Devices;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>A device's own stream as GetDeviceHistory shows it: each stored event with how many equal ones its window counted.</summary>
public static class ContactHistoryMapping
{
    /// <summary>At most this many (the newest) are shown; the stream itself holds at most one per reason and window.</summary>
    public const int Shown = 500;

    public static async Task<IReadOnlyList<Wire.DeviceContactEvent>> ReadAsync(IQuerySession session, string deviceKey, CancellationToken cancellationToken)
    {
        var events = await session.Events.FetchStreamAsync(DeviceStream.For(deviceKey), token: cancellationToken);
        if (events.Count == 0) return [];
        var windows = (await session.Query<ContactWindow>().Where(w => w.DeviceKey == deviceKey).ToListAsync(cancellationToken))
            .GroupBy(w => w.EventId).ToDictionary(g => g.Key, g => g.First());
        return events.Skip(Math.Max(0, events.Count - Shown)).Select(e => ToWire(e, windows.GetValueOrDefault(e.Id))).OfType<Wire.DeviceContactEvent>().ToList();
    }

    private static Wire.DeviceContactEvent? ToWire(IEvent e, ContactWindow? window)
    {
        var at = EventTimeOf(e);
        var contact = new Wire.DeviceContactEvent
        {
            OccurredAt = Timestamp.FromDateTimeOffset(window?.FirstAt ?? at),
            LastSeenAt = Timestamp.FromDateTimeOffset(window?.LastSeenAt ?? at),
            Count = window?.Count ?? 1,
        };
        switch (e.Data)
        {
            case DeviceContactRefused r:
                contact.Kind = ContactKinds.Refused;
                contact.Reason = r.Reason;
                contact.Detail = r.Detail;
                contact.RemoteAddress = r.RemoteAddress;
                contact.Protocol = r.Protocol;
                break;
            case CredentialPending p:
                contact.Kind = ContactKinds.CredentialPending;
                contact.Detail = $"new credential pushed; the {p.PreviousCredential.Replace('_', ' ')} credential stays accepted until {p.Until:u}";
                contact.WorkflowId = p.WorkflowId?.ToString() ?? "";
                contact.TraceId = p.TraceId;
                contact.Protocol = p.Protocol;
                break;
            case CredentialAdopted a:
                contact.Kind = ContactKinds.CredentialAdopted;
                contact.Detail = "the device authenticated with its own credential";
                contact.RemoteAddress = a.RemoteAddress;
                contact.Protocol = a.Protocol;
                break;
            case CredentialNotAdopted n:
                contact.Kind = ContactKinds.CredentialNotAdopted;
                contact.Reason = "credential_not_adopted";
                contact.Detail = n.Detail;
                contact.RemoteAddress = n.RemoteAddress;
                contact.Protocol = n.Protocol;
                break;
            case FactoryResetDetected f:
                contact.Kind = ContactKinds.FactoryReset;
                contact.Detail = f.Cause;
                contact.WorkflowId = f.WorkflowId?.ToString() ?? "";
                contact.TraceId = f.TraceId;
                contact.RemoteAddress = f.RemoteAddress;
                contact.Protocol = f.Protocol;
                break;
            default:
                return null;
        }
        return contact;
    }

    private static DateTimeOffset EventTimeOf(IEvent e) => Workflows.EventTime.Stored(e.Timestamp);
}
