using Marten;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Devices;

/// <summary>
/// What an adapter tells the orchestrator about a device's contacts, said over the real DeviceContacts gRPC service
/// with the internal key (as the CWMP ACS and the USP controller do), and what the northbound API then shows.
/// </summary>
public sealed class DeviceDoor(SystemUnderTest system) : IDisposable
{
    private readonly global::Grpc.Net.Client.GrpcChannel _channel = TestChannels.ForAddress(system.GrpcAddress, token: SystemUnderTest.InternalKey);
    public const string Realm = "Provisioning ACS";

    public DeviceContacts.DeviceContactsClient Contacts => new(_channel);

    /// <summary>Orchestrator settings for these tests: the scripted adapter, and counts written every 200 ms.</summary>
    public static Dictionary<string, string?> Settings(ScriptedAdapter adapter, params (string Key, string Value)[] more)
    {
        var settings = OrchestratorFixture.Settings(adapter);
        settings["Devices:ContactCountFlushInterval"] = "00:00:00.200";
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    public Task<DeviceContactDecision> ContactAsync(DeviceRef device, ContactCredential credential, params string[] codes) =>
        ContactAsync(device, credential, bootCause: "", subscriptionMissing: false, codes);

    public async Task<DeviceContactDecision> ContactAsync(DeviceRef device, ContactCredential credential, string bootCause, bool subscriptionMissing, params string[] codes)
    {
        var report = new DeviceContactReport
        {
            Identity = new DeviceIdentity { Device = device },
            Credential = credential,
            BootCause = bootCause,
            BootSubscriptionMissing = subscriptionMissing,
            RemoteAddress = "192.0.2.10",
        };
        report.EventCodes.AddRange(codes);
        return await Contacts.ReportDeviceContactAsync(report);
    }

    public Task<LookupDeviceResponse> LookupAsync(string serial) =>
        Contacts.LookupDeviceAsync(new LookupDeviceRequest { Device = new DeviceRef { SerialNumber = serial }, Realm = Realm }).ResponseAsync;

    public Task<RefusedContactAck> RefuseAsync(DeviceRef device, RefusalReason reason, string detail = "Digest response does not match") =>
        Contacts.ReportRefusedContactAsync(new RefusedContactReport { Device = device, Reason = reason, Detail = detail, RemoteAddress = "198.51.100.7", Username = "someone" }).ResponseAsync;

    public static DeviceRef Cwmp(string serial) => new() { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG", Protocol = DeviceProtocol.Cwmp };

    public static DeviceRef Usp(string serial) => new() { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG", Protocol = DeviceProtocol.Usp, EndpointId = $"os::00D09E-{serial}" };

    /// <summary>Registers a CWMP device with credentials of its own (and optionally a bootstrap secret) and its plan.</summary>
    public static async Task<string> RegisterCwmpAsync(OrchestratorFixture helper, string? bootstrapPassword = null)
    {
        var serial = await helper.RegisterAsync(new DeviceScript());
        await helper.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device
        {
            Identity = Cwmp(serial),
            CustomerId = "C-" + serial,
            ServicePlan = "gold",
            CwmpUsername = serial,
            CwmpPassword = "own-password-" + serial,
            ConnectionRequestUsername = "acs",
            ConnectionRequestPassword = "cr-password-" + serial,
            BootstrapPassword = bootstrapPassword ?? "",
        } });
        return serial;
    }

    /// <summary>Provisions the device once (OSS) and waits for success, so it counts as provisioned.</summary>
    public static async Task ProvisionedAsync(OrchestratorFixture helper, string serial, DeviceProtocol protocol = DeviceProtocol.Cwmp)
    {
        var started = await helper.ProvisionAsync(serial, protocol: protocol);
        var workflow = await helper.System.WaitForTerminalAsync(started.Workflow.WorkflowId);
        Assert.Equal(WorkflowResult.Success, workflow.Result);
    }

    /// <summary>Waits until the device's history satisfies <paramref name="until"/> (the counts are written every 200 ms).</summary>
    public async Task<DeviceHistory> HistoryAsync(string serial, Func<DeviceHistory, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var history = await system.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
            if (until(history)) return history;
            if (DateTime.UtcNow > deadline) Assert.Fail($"the history of {serial} never matched; last: {history}");
            await Task.Delay(100);
        }
    }

    public async Task<FailureReport> ReportAsync(Func<FailureReport, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var report = await system.Provisioning.GetFailureReportAsync(new GetFailureReportRequest
            {
                From = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)),
                To = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
            });
            if (until(report)) return report;
            if (DateTime.UtcNow > deadline) Assert.Fail($"the failure report never matched; last: {report}");
            await Task.Delay(100);
        }
    }

    public async Task<int> RowsAsync<T>() where T : notnull
    {
        await using var session = system.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<T>().CountAsync();
    }

    public async Task<int> WorkflowCountAsync()
    {
        var page = await system.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { PageSize = 1000 });
        return page.Workflows.Count;
    }

    public void Dispose() => _channel.Dispose();
}
