using System.Collections.Concurrent;
using Grpc.Core;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Usp.Tests.Infrastructure;

/// <summary>Stands in for the orchestrator's DeviceContacts service: an inventory of endpoint IDs and the contacts reported.</summary>
public sealed class FakeOrchestrator : DeviceContacts.DeviceContactsBase
{
    public ConcurrentDictionary<string, bool> Registered { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<DeviceContactReport> Reports { get; } = new();
    public ConcurrentQueue<string> Lookups { get; } = new();

    public IReadOnlyList<DeviceContactReport> ReportsOf(string endpointId) =>
        Reports.Where(r => r.Identity.Device.EndpointId == endpointId).ToList();

    public IReadOnlyList<string> EventCodesOf(string endpointId) =>
        ReportsOf(endpointId).SelectMany(r => r.EventCodes).ToList();

    public override Task<LookupDeviceResponse> LookupDevice(LookupDeviceRequest request, ServerCallContext context)
    {
        Lookups.Enqueue(request.Device.EndpointId);
        return Task.FromResult(new LookupDeviceResponse { Registered = Registered.ContainsKey(request.Device.EndpointId), Device = request.Device });
    }

    public override Task<DeviceContactDecision> ReportDeviceContact(DeviceContactReport request, ServerCallContext context)
    {
        Reports.Enqueue(request);
        return Task.FromResult(new DeviceContactDecision { Action = ContactAction.None, Registered = true });
    }
}
