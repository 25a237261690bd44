using Provisioning.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Telemetry;
using Provisioning.Southbound.Usp.Tests.EndToEnd;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// Issue 15.3: the controller subscribes to Device.LocalAgent.Periodic! (persistent, like Boot!), so a provisioned agent
/// reports at the plan's PeriodicNotifInterval; each Periodic! is a contact reported to the orchestrator, as CWMP's
/// 2 PERIODIC, and starts no workflow.
/// </summary>
[Collection(nameof(UspSystemCollection))]
public sealed class IndependentAgentPeriodicTests(UspSystemFixture fixture)
{
    private const string Plan = "usp-periodic";

    [Fact]
    public async Task A_provisioned_agent_reports_periodically_and_no_workflow_starts()
    {
        var plan = UspSystemFixture.Plan(Plan);
        plan.PeriodicInformInterval = 1;
        await fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = plan });
        var serial = fixture.NewSerial("IPR");
        var endpointId = UspSystemFixture.Ref(serial).EndpointId;
        await fixture.RegisterAsync(serial, Plan);
        var periodicContacts = new ConcurrentQueue<string>();
        using var contacts = ContactsOf(endpointId, periodicContacts);

        await using var agent = IndependentAgentProcess.Start(fixture.System.UspWebSocketUrl, fixture.System.UspControllerEndpointId,
            endpointId, serial, ["--oui", "00D09E", "--product-class", "HGW-USP", "--greeting", "connect"]);
        var workflow = await IndependentAgentRun.FirstTerminalAsync(fixture, serial);
        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {(agent.HasExited ? await agent.StopAsync() : null)}");
        // Every second now: a few of them are reported contacts.
        await Eventually.HoldsAsync(() => periodicContacts.Count >= 2, TimeSpan.FromSeconds(15));
        var report = await agent.StopAsync();

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.True(periodicContacts.Count >= 2, $"{periodicContacts.Count} Periodic! contacts reported; agent {report}");
        Assert.True(report.Get("periodic_sent") >= 2, report.ToString());
        var model = report.DataModel;
        Assert.Equal("1", model["Device.LocalAgent.Controller.1.PeriodicNotifInterval"]);
        Assert.Contains(model, p => p.Key.StartsWith("Device.LocalAgent.Subscription.", StringComparison.Ordinal)
            && p.Key.EndsWith(".ReferenceList", StringComparison.Ordinal) && p.Value == "Device.LocalAgent.Periodic!"
            && model[p.Key[..^"ReferenceList".Length] + "Persistent"] is "true" or "1"
            && model[p.Key[..^"ReferenceList".Length] + "Recipient"] == "Device.LocalAgent.Controller.1.");
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial, PageSize = 10 });
        Assert.Single(workflows.Workflows);
    }

    /// <summary>The controller's contact spans of one agent that reported Periodic! (the controller runs in this process).</summary>
    private static ActivityListener ContactsOf(string endpointId, ConcurrentQueue<string> periodic)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == UspTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "usp.contact" && activity.GetTagItem(UspTelemetry.AttrEndpointId) as string == endpointId
                    && activity.GetTagItem("usp.event_codes") is string codes && codes.Split(',').Contains("Periodic!"))
                    periodic.Enqueue(codes);
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
