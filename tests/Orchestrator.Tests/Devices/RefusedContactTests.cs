using global::System.Diagnostics;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Devices;

/// <summary>Every refused contact is on record in the device's stream, once per device, reason and window, and counted.</summary>
public sealed class RefusedContactTests(Xunit.Abstractions.ITestOutputHelper output) : DeviceDoorSystem(("Devices:UnregisteredPerWindow", "100"))
{
    [Fact]
    public async Task Equal_refusals_in_one_window_are_stored_once_counted_and_shown_in_history_and_report()
    {
        var serial = await Helper.RegisterAsync(new DeviceScript());

        await WithinOneContactWindowAsync(TimeSpan.FromSeconds(20));
        var acks = new List<bool>();
        for (var i = 0; i < 5; i++) acks.Add((await Door.RefuseAsync(DeviceDoor.Cwmp(serial), RefusalReason.WrongPassword)).Recorded);
        var replayed = await Door.RefuseAsync(DeviceDoor.Cwmp(serial), RefusalReason.Replayed, "nonce count replayed");

        Assert.Equal([true, false, false, false, false], acks);
        Assert.True(replayed.Recorded);
        var history = await Door.HistoryAsync(serial, h => h.Contacts.Any(c => c.Reason == "wrong_password" && c.Count == 5));
        var wrong = Assert.Single(history.Contacts, c => c.Reason == "wrong_password");
        Assert.Equal("contact_refused", wrong.Kind);
        Assert.Equal("198.51.100.7", wrong.RemoteAddress);
        Assert.Equal(DeviceProtocol.Cwmp, wrong.Protocol);
        Assert.True(wrong.LastSeenAt.ToDateTimeOffset() >= wrong.OccurredAt.ToDateTimeOffset());
        Assert.Single(history.Contacts, c => c.Reason == "replayed");
        // The refusals are device events, not workflow events: the provisioning feed does not carry them.
        Assert.DoesNotContain(await System.EventsAsync(), e => e.SerialNumber == serial);

        var report = await Door.ReportAsync(r => r.Refusals.Any(x => x.Reason == "wrong_password" && x.Count == 5));
        var row = Assert.Single(report.Refusals, r => r.Reason == "wrong_password");
        Assert.Equal(1, row.Devices);
        Assert.Equal(DeviceProtocol.Cwmp, row.Protocol);
        Assert.True(report.TotalRefused >= 6);
    }

    [Fact]
    public async Task Device_events_pass_by_the_feed_and_the_workflow_projections_and_outlive_a_rebuild()
    {
        var serial = await DeviceDoor.RegisterCwmpAsync(Helper, bootstrapPassword: "label-password-3");
        await Door.RefuseAsync(DeviceDoor.Cwmp(serial), RefusalReason.BootstrapRefused, "shared bootstrap for a device with its own secret");
        var zeroTouch = await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.BootstrapSecret, "0 BOOTSTRAP");
        await System.WaitForTerminalAsync(zeroTouch.WorkflowId);
        var reset = await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.BootstrapSecret, "0 BOOTSTRAP");
        await System.WaitForTerminalAsync(reset.WorkflowId);
        var shown = await Door.HistoryAsync(serial, h => h.Contacts.Count >= 4 && h.Entries.Count == 2);

        await System.Inventory.RebuildProjectionsAsync(new RebuildProjectionsRequest());

        var rebuilt = await Door.HistoryAsync(serial, h => h.Entries.Count == 2);
        Assert.Equal(shown.Contacts, rebuilt.Contacts);
        Assert.Equal([WorkflowTrigger.FactoryReset, WorkflowTrigger.ZeroTouch], rebuilt.Entries.Select(e => e.Trigger).ToArray());
        // Only the two workflows have summaries; the device's own stream is no workflow.
        var workflows = await System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Equal(2, workflows.Workflows.Count);
        var events = await System.EventsAsync();
        Assert.All(events.Where(e => e.SerialNumber == serial), e => Assert.Contains(e.WorkflowId, new[] { zeroTouch.WorkflowId, reset.WorkflowId }));
        Assert.DoesNotContain(events, e => string.IsNullOrEmpty(e.WorkflowId));
    }

    [Fact]
    public async Task The_failure_report_counts_refusals_only_in_the_period_asked()
    {
        var serial = await Helper.RegisterAsync(new DeviceScript());
        await Door.RefuseAsync(DeviceDoor.Cwmp(serial), RefusalReason.OtherDevice);
        await Door.ReportAsync(r => r.Refusals.Any(x => x.Reason == "other_device"));

        var earlier = await System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest
        {
            From = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-2)),
            To = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
        });
        Assert.Empty(earlier.Refusals);
        Assert.Equal(0, earlier.TotalRefused);
    }

    [Fact]
    public async Task A_flood_of_junk_bootstraps_costs_bounded_rows_and_no_workflow()
    {
        const int junk = 2000;
        var workflowsBefore = await Door.WorkflowCountAsync();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, junk), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var decision = await Door.ContactAsync(DeviceDoor.Cwmp($"JUNK{i:D5}{Guid.NewGuid().ToString("N")[..4]}"), ContactCredential.Bootstrap, "0 BOOTSTRAP", "1 BOOT");
            Assert.False(decision.Registered);
            Assert.Equal(ContactAction.None, decision.Action);
            Assert.Equal("", decision.WorkflowId);
        });
        clock.Stop();

        var report = await Door.ReportAsync(r => r.Refusals.Where(x => x.Reason == "unknown_device").Sum(x => x.Count) >= junk);
        var unknown = Assert.Single(report.Refusals, r => r.Reason == "unknown_device");
        Assert.Equal(junk, unknown.Count);
        Assert.Equal(junk, unknown.Devices);
        Assert.Equal(workflowsBefore, await Door.WorkflowCountAsync());
        // At most the per-window bound of unregistered devices is stored, whatever the flood (windows are aligned to
        // the clock, so a flood may straddle two; the other tests of this class add a few rows of their own).
        var rows = await Door.RowsAsync<ContactWindow>();
        output.WriteLine($"{junk} junk bootstraps: {clock.Elapsed.TotalMilliseconds:F0} ms, {rows} contact rows stored");
        Assert.InRange(rows, 1, 2 * 100 + 10);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{junk} junk bootstraps took {clock.Elapsed}");
    }

    [Fact]
    public async Task An_unregistered_device_bootstrapping_again_is_counted_not_stored_again()
    {
        var serial = Helper.NewSerial("NOBODY");
        await WithinOneContactWindowAsync(TimeSpan.FromSeconds(20));
        for (var i = 0; i < 3; i++) await Door.ContactAsync(DeviceDoor.Cwmp(serial), ContactCredential.Bootstrap, "0 BOOTSTRAP");

        var history = await Door.HistoryAsync(serial, h => h.Contacts.Any(c => c.Count == 3));
        var contact = Assert.Single(history.Contacts);
        Assert.Equal("unknown_device", contact.Reason);
        Assert.Empty(history.Entries);
        Assert.Equal("", history.CredentialState);
        var lookup = await Door.LookupAsync(serial);
        Assert.False(lookup.Registered);
        Assert.True(lookup.SharedBootstrapAllowed);
    }

    [Fact]
    public async Task An_oss_request_for_an_unknown_serial_still_ends_unknown_device()
    {
        var started = await Helper.ProvisionAsync(Helper.NewSerial("OSSUNK"));
        var workflow = await System.WaitForTerminalAsync(started.Workflow.WorkflowId);
        Assert.Equal(WorkflowResult.UnknownDevice, workflow.Result);
    }
}
