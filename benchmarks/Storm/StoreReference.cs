using System.Diagnostics;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Reports;
using Provisioning.Orchestrator.ServicePlans;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;
using Weasel.Core;

namespace Provisioning.Benchmarks.Storm;

public sealed record ReferenceResult(int Workflows, int Concurrency, double Seconds, double WorkflowsPerSecond, double EventsPerSecond, double TransactionsPerSecond,
    double ClientCpuMsPerWorkflow, double PostgresCpuMsPerWorkflow, double OtherProcessesCpuS);

/// <summary>
/// The store's ceiling on this box: the same events, documents and transaction pattern as a zero-touch workflow
/// in the orchestrator (WorkflowStarter + WorkflowDriver), with no HTTP or gRPC in between, at the same concurrency,
/// into a fresh database. Per workflow: the contact's device lookup; the starter's claim check, one transaction
/// starting the stream and inserting the ActiveWorkflowClaim, the summary read back; the driver's summary and
/// device/plan loads; then one transaction per step that reaches the device (authenticate's also carrying
/// fetch_profile's event) appending that step's event(s) at the expected version (the terminal one also deleting
/// the claim and storing the device as provisioned), each followed by the summary read back. Store options are the
/// orchestrator's own (StoreExtensions.ConfigureProvisioningStore).
/// </summary>
public static class StoreReference
{
    public const string PlanName = "storm-gold";
    /// <summary>Per workflow: the stream's start and one append per step that reaches the device.</summary>
    internal const int WriteTransactions = 4;
    /// <summary>Per workflow: ProvisioningRequested and the five events of its steps.</summary>
    internal const int EventsPerWorkflow = 6;

    public static DocumentStore CreateStore(string connectionString) =>
        DocumentStore.For(options => Provisioning.Orchestrator.Extensions.StoreExtensions.ConfigureProvisioningStore(options, connectionString));

    public static async Task<ReferenceResult> RunAsync(string connectionString, int workflows, int concurrency, int? postmasterPid, CancellationToken cancellationToken)
    {
        var serials = Serials(workflows);
        await using var store = await PrepareAsync(connectionString, serials, cancellationToken);

        // Warm up connections and Marten's generated code outside the timed part, as the orchestrator is warm.
        await RunOneAsync(store, "REFWARMUP", cancellationToken);

        return await MeasureAsync(serials, concurrency, postmasterPid, serial => RunOneAsync(store, serial, cancellationToken), cancellationToken);
    }

    internal static string[] Serials(int workflows) => Enumerable.Range(1, workflows).Select(i => $"REF{i:D6}").ToArray();

    /// <summary>The orchestrator's schema in a fresh database, with the plan and the devices registered (not timed).</summary>
    internal static async Task<DocumentStore> PrepareAsync(string connectionString, IEnumerable<string> serials, CancellationToken cancellationToken)
    {
        var store = CreateStore(connectionString);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var seed = store.LightweightSession();
        seed.Store(new ServicePlanDocument { Id = PlanName, Description = "reference", DataEnabled = true });
        foreach (var serial in serials.Append("REFWARMUP")) seed.Store(Device(serial));
        await seed.SaveChangesAsync(cancellationToken);
        return store;
    }

    /// <summary>Runs every workflow, <paramref name="concurrency"/> at once, and the CPU it took here, in PostgreSQL and elsewhere.</summary>
    internal static async Task<ReferenceResult> MeasureAsync(IReadOnlyList<string> serials, int concurrency, int? postmasterPid, Func<string, Task> runOne, CancellationToken cancellationToken)
    {
        var workflows = serials.Count;
        using var gate = new SemaphoreSlim(concurrency);
        var self0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var pg0 = postmasterPid is { } pm0 ? ProcessStats.TreeCpuSeconds(pm0) : 0;
        var (busy0, _) = ProcessStats.MachineCpu();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(serials.Select(async serial =>
        {
            await gate.WaitAsync(cancellationToken);
            try { await runOne(serial); }
            finally { gate.Release(); }
        }));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - self0;
        var pg = postmasterPid is { } pm1 ? ProcessStats.TreeCpuSeconds(pm1) - pg0 : 0;
        var (busy1, _) = ProcessStats.MachineCpu();
        return new ReferenceResult(workflows, concurrency, Math.Round(seconds, 2), Math.Round(workflows / seconds, 1), Math.Round(workflows * EventsPerWorkflow / seconds, 1), Math.Round(workflows * WriteTransactions / seconds, 1),
            Math.Round(self * 1000 / workflows, 3), Math.Round(pg * 1000 / workflows, 3), Math.Round(busy1 - busy0 - self - pg, 2));
    }

    internal static DeviceRecord Device(string serial) => new()
    {
        Id = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp,
        CustomerId = "CUST-" + serial, ServicePlan = PlanName, LocationId = "BENCH", CwmpUsername = serial, CwmpPassword = "secret-" + serial,
    };

    private static async Task RunOneAsync(IDocumentStore store, string serial, CancellationToken cancellationToken)
    {
        var trace = new TraceRef(ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());
        DeviceRecord? device;
        await using (var query = store.QuerySession())
        {
            device = await query.LoadAsync<DeviceRecord>(serial, cancellationToken); // the contact's lookup
            _ = await query.LoadAsync<ActiveWorkflowClaim>(serial, cancellationToken); // the starter's claim check
        }
        device ??= Device(serial);

        var workflowId = Guid.CreateVersion7();
        var requested = Requested(serial, trace);
        WorkflowSummary summary;
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream<WorkflowSummary>(workflowId, requested);
            session.Insert(new ActiveWorkflowClaim(serial, workflowId));
            await session.SaveChangesAsync(cancellationToken);
            summary = (await session.LoadAsync<WorkflowSummary>(workflowId, cancellationToken))!;
        }
        await using (var query = store.QuerySession())
        {
            summary = (await query.LoadAsync<WorkflowSummary>(workflowId, cancellationToken))!; // the driver's load
            _ = await query.LoadAsync<DeviceRecord>(serial, cancellationToken); // the context loader
            _ = await query.LoadAsync<ServicePlanDocument>(PlanName, cancellationToken);
        }

        var steps = StepEvents(serial, workflowId, device, trace);
        foreach (var events in steps)
        {
            await using var session = store.LightweightSession();
            session.Events.Append(workflowId, summary.Version + events.Length, events.Cast<object>().ToArray());
            if (events.Any(e => e is ProvisioningSucceeded))
            {
                session.Delete<ActiveWorkflowClaim>(serial);
                session.Store(device with { Provisioned = true, ProvisionedAt = DateTimeOffset.UtcNow });
            }
            await session.SaveChangesAsync(cancellationToken);
            summary = (await session.LoadAsync<WorkflowSummary>(workflowId, cancellationToken))!;
        }
    }

    internal static ProvisioningRequested Requested(string serial, TraceRef trace) =>
        new(new DeviceDescriptor(serial, "00D09E", "SimGateway", DeviceProtocol.Cwmp, ""), null,
            WorkflowTrigger.ZeroTouch, null, null, ["0 BOOTSTRAP", "1 BOOT"], DateTimeOffset.UtcNow.AddMinutes(5), trace);

    /// <summary>The events of each step's transaction after the stream's start, as the workflow driver appends them.</summary>
    internal static IWorkflowEvent[][] StepEvents(string serial, Guid workflowId, DeviceRecord device, TraceRef trace) =>
    [
        // fetch_profile works on the store alone: its event commits with authenticate's (WorkflowDriver).
        [new DeviceAuthenticated(serial, "Simulated CPE Inc.", "SIM-1000", "1.0.0", "HW1", "Device.", "cwmp-session", device.CustomerId, device.LocationId, trace),
         new ServiceProfileFetched(serial, PlanName, 21, true, true, ["2.4GHz", "5GHz"], trace)],
        [new ConfigPushed(serial, "wf-" + workflowId.ToString("N")[..12], 0, PushedParameters(), trace)],
        [new ConfigVerified(serial, 21, trace), new ProvisioningSucceeded(serial, 1234, trace)],
    ];

    /// <summary>What the storm's plan pushes to a TR-181 CPE (secrets redacted as the orchestrator stores them).</summary>
    private static List<PushedParameter> PushedParameters()
    {
        var list = new List<PushedParameter>();
        foreach (var i in new[] { 1, 2 })
        {
            list.Add(new($"Device.WiFi.SSID.{i}.SSID", $"Storm-{i}", "string", false));
            list.Add(new($"Device.WiFi.SSID.{i}.Enable", "true", "boolean", false));
            list.Add(new($"Device.WiFi.AccessPoint.{i}.Security.ModeEnabled", "WPA2-Personal", "string", false));
            list.Add(new($"Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase", PushedParameter.Redacted, "string", true));
        }
        list.Add(new("Device.Services.VoiceService.1.SIP.Client.1.Enable", "true", "boolean", false));
        list.Add(new("Device.Services.VoiceService.1.SIP.Client.1.AuthUserName", "storm-sip", "string", false));
        list.Add(new("Device.Services.VoiceService.1.SIP.Client.1.AuthPassword", PushedParameter.Redacted, "string", true));
        list.Add(new("Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber", "+3215550100", "string", false));
        list.Add(new("Device.Services.VoiceService.1.SIP.Network.1.RegistrarServer", "sip.storm.example", "string", false));
        // The device's own credentials (ServicePlans.ManagementCredentials).
        list.Add(new("Device.ManagementServer.Username", "storm-user", "string", false));
        list.Add(new("Device.ManagementServer.Password", PushedParameter.Redacted, "string", true));
        list.Add(new("Device.ManagementServer.ConnectionRequestUsername", "storm-cr", "string", false));
        list.Add(new("Device.ManagementServer.ConnectionRequestPassword", PushedParameter.Redacted, "string", true));
        foreach (var (k, vlan) in new[] { (1, 100u), (2, 200u), (3, 300u) })
        {
            list.Add(new($"Device.Ethernet.VLANTermination.{k}.Enable", "true", "boolean", false));
            list.Add(new($"Device.Ethernet.VLANTermination.{k}.VLANID", vlan.ToString(System.Globalization.CultureInfo.InvariantCulture), "unsignedInt", false));
        }
        return list;
    }
}
