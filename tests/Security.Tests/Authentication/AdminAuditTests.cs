using Marten;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Security;
using Provisioning.Testing;

namespace Provisioning.Security.Tests.Authentication;

/// <summary>Admin changes are events naming who made them, without passwords, and stay out of the provisioning feed.</summary>
public sealed class AdminAuditTests : IAsyncLifetime
{
    private SystemUnderTest _system = null!;

    public async Task InitializeAsync() => _system = await SystemUnderTest.StartAsync();

    public async Task DisposeAsync() => await _system.DisposeAsync();

    /// <summary>Every admin audit event as its stored JSON (what an auditor reading the table sees).</summary>
    public static async Task<IReadOnlyList<string>> AuditAsync(SystemUnderTest system)
    {
        var store = system.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        return events.Where(e => e.Data is InventoryChanged or ServicePlansChanged or ProjectionsRebuilt)
            .Select(e => $"{e.EventTypeName} {System.Text.Json.JsonSerializer.Serialize(e.Data, e.Data.GetType())}").ToList();
    }

    [Fact]
    public async Task Each_admin_change_is_an_event_naming_the_principal_and_no_secret()
    {
        var admin = _system.Inventory;
        await admin.UpsertDeviceAsync(new UpsertDeviceRequest { Device = RoleTests.Device("AUD0001") });
        await admin.UpsertDevicesAsync(new UpsertDevicesRequest { Devices = { RoleTests.Device("AUD0002"), RoleTests.Device("AUD0003") } });
        await admin.DeleteDeviceAsync(new DeleteDeviceRequest { SerialNumber = "AUD0003" });
        await admin.DeleteDeviceAsync(new DeleteDeviceRequest { SerialNumber = "NEVER-THERE" });
        await admin.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = new ServicePlan
        {
            Name = "audit-plan",
            Wifi = { new WifiNetwork { Band = "2.4GHz", Ssid = "home", Key = "wifi-secret-123", Enabled = true } },
            VoipLines = { new VoipLine { Line = 1, SipUsername = "sip", SipPassword = "sip-secret-456", DirectoryNumber = "1000" } },
        } });
        await admin.DeleteServicePlanAsync(new DeleteServicePlanRequest { Name = "audit-plan" });
        await admin.RebuildProjectionsAsync(new RebuildProjectionsRequest());

        var audit = await AuditAsync(_system);

        Assert.Equal(6, audit.Count); // the delete of a device that was not there changed nothing
        Assert.All(audit, a => Assert.Contains("\"ChangedBy\":\"test-admin\"", a));
        Assert.Contains(audit, a => a.StartsWith("inventory_changed") && a.Contains("AUD0002") && a.Contains("AUD0003") && a.Contains("upserted"));
        Assert.Contains(audit, a => a.StartsWith("inventory_changed") && a.Contains("AUD0003") && a.Contains("deleted"));
        Assert.Contains(audit, a => a.StartsWith("service_plans_changed") && a.Contains("audit-plan") && a.Contains("deleted"));
        Assert.Contains(audit, a => a.StartsWith("projections_rebuilt"));
        foreach (var secret in new[] { "cwmp-secret", "cr-secret", "wifi-secret-123", "sip-secret-456" })
            Assert.DoesNotContain(audit, a => a.Contains(secret));
    }

    [Fact]
    public async Task A_refused_change_leaves_no_audit_event()
    {
        var operatorInventory = new InventoryService.InventoryServiceClient(_system.Invoker(SystemUnderTest.OperatorKey));
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => operatorInventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = RoleTests.Device("AUD0100") }).ResponseAsync);
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = new Device() }).ResponseAsync);

        Assert.Empty(await AuditAsync(_system));
    }

    [Fact]
    public async Task Audit_events_stay_out_of_the_provisioning_feed()
    {
        await _system.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest { Device = RoleTests.Device("AUD0200") });
        var started = await _system.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new Contracts.Common.DeviceRef { SerialNumber = "AUD0200", Oui = "00D09E", Protocol = Contracts.Common.DeviceProtocol.Cwmp },
        });
        await _system.Provisioning.CancelWorkflowAsync(new CancelWorkflowRequest { WorkflowId = started.Workflow.WorkflowId });
        await _system.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = new ServicePlan { Name = "after" } });
        // Cancelled, or already unreachable (no such CPE answers) before the cancel arrived: either way terminal.
        var ended = await _system.WaitForTerminalAsync(started.Workflow.WorkflowId);

        var feed = await _system.EventsAsync();

        Assert.NotEmpty(feed);
        Assert.All(feed, e => Assert.Equal(started.Workflow.WorkflowId, e.WorkflowId));
        Assert.NotEmpty(await AuditAsync(_system));
        // The async projections read past them too (the device history lands although audit events sit in between).
        var until = DateTime.UtcNow.AddSeconds(20);
        DeviceHistory history;
        do
        {
            history = await _system.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = "AUD0200" });
            if (history.Entries.Count > 0 && history.Entries[0].Result == ended.Result) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        Assert.Equal(ended.Result, Assert.Single(history.Entries).Result);
    }
}
