using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Security;
using Provisioning.Simulators.Cwmp;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.EndToEnd;

/// <summary>
/// Issue 18: reboot, factory reset, live read and ad-hoc write of an idle CWMP device, each a workflow that wakes the
/// device with a Connection Request (the device has no session open when it is asked).
/// </summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class CwmpDeviceOperationTests(CwmpSystemFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string Ssid = "Device.WiFi.SSID.1.SSID";
    private const string Passphrase = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase";

    /// <summary>A registered device that has told the ACS its ConnectionRequestURL and closed its session.</summary>
    private async Task<(string Serial, SimulatedCpe Cpe)> IdleDeviceAsync(string prefix, CpeBehavior? behavior = null)
    {
        var serial = fixture.NewSerial(prefix);
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial, behavior);
        Assert.True((await cpe.InformAsync("2 PERIODIC")).Succeeded);
        return (serial, cpe);
    }

    /// <summary>The async projections (history, failure statistics) catch up shortly after the workflow ends.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T?>> find, TimeSpan timeout) where T : class
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await find() is { } found) return found;
            if (DateTime.UtcNow > until) throw new TimeoutException("not found in time");
            await Task.Delay(200);
        }
    }

    private static string[] PayloadsOf(IEnumerable<ProvisioningEvent> events) => events.Select(e => e.PayloadCase.ToString()).ToArray();

    [Fact]
    public async Task Reboot_reaches_an_idle_device_by_Connection_Request_and_is_recorded_as_a_workflow()
    {
        var (serial, cpe) = await IdleDeviceAsync("OPRB");

        var response = await fixture.System.Provisioning.RebootDeviceAsync(
            new DeviceOperationRequest { SerialNumber = serial, RequestId = Guid.NewGuid().ToString(), Wait = true },
            deadline: DateTime.UtcNow + Patience);

        var workflow = response.Workflow;
        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(WorkflowKind.Reboot, workflow.Kind);
        await cpe.WaitForSessionsAsync(2, TimeSpan.FromSeconds(10));
        Assert.Equal(["6 CONNECTION REQUEST"], cpe.History[1].EventCodes);
        Assert.Equal(["Reboot"], cpe.History[1].RequestsFromAcs);
        var events = await fixture.System.EventsAsync(workflow.WorkflowId);
        Assert.Equal(["ProvisioningRequested", "DeviceAuthenticated", "RebootAccepted", "ProvisioningSucceeded"], PayloadsOf(events));
        Assert.Equal(WorkflowKind.Reboot, events[0].ProvisioningRequested.Kind);
        Assert.Contains("CONNECTION", events[1].DeviceAuthenticated.ReachedVia.ToUpperInvariant());
        Assert.Equal(WorkflowStep.Reboot, events[2].Step);
        // Every event of the operation carries its trace, as a provisioning workflow's do.
        Assert.All(events, e => Assert.Equal(workflow.TraceId, e.TraceId));

        var history = await UntilAsync(async () =>
        {
            var h = await fixture.System.Provisioning.GetDeviceHistoryAsync(new GetDeviceHistoryRequest { SerialNumber = serial });
            return h.Entries.FirstOrDefault(e => e.WorkflowId == workflow.WorkflowId && e.Result != WorkflowResult.Unspecified);
        }, Patience);
        Assert.Equal(WorkflowKind.Reboot, history.Kind);
        Assert.Equal(WorkflowResult.Success, history.Result);
    }

    [Fact]
    public async Task Factory_reset_is_sent_in_the_session_a_Connection_Request_opens()
    {
        var (serial, cpe) = await IdleDeviceAsync("OPFR");

        var response = await fixture.System.Provisioning.FactoryResetDeviceAsync(
            new DeviceOperationRequest { SerialNumber = serial, Wait = true }, deadline: DateTime.UtcNow + Patience);

        Assert.Equal(WorkflowResult.Success, response.Workflow.Result);
        Assert.Equal(WorkflowKind.FactoryReset, response.Workflow.Kind);
        await cpe.WaitForSessionsAsync(2, TimeSpan.FromSeconds(10));
        Assert.Equal(["FactoryReset"], cpe.History[1].RequestsFromAcs);
        var events = await fixture.System.EventsAsync(response.Workflow.WorkflowId);
        Assert.Equal(["ProvisioningRequested", "DeviceAuthenticated", "FactoryResetAccepted", "ProvisioningSucceeded"], PayloadsOf(events));
    }

    [Fact]
    public async Task Get_answers_the_values_read_and_records_them_with_secrets_masked()
    {
        var (serial, cpe) = await IdleDeviceAsync("OPGT");

        var response = await fixture.System.Provisioning.GetDeviceParametersAsync(
            new GetDeviceParametersRequest { SerialNumber = serial, ParameterNames = { Ssid, Passphrase } }, deadline: DateTime.UtcNow + Patience);

        Assert.Equal(WorkflowResult.Success, response.Workflow.Result);
        Assert.Equal(cpe.GetValue(Ssid), response.Values.Single(v => v.Name == Ssid).Value);
        var secret = response.Values.Single(v => v.Name == Passphrase);
        Assert.True(secret.Secret);
        Assert.Equal("********", secret.Value);
        Assert.Equal(["GetParameterValues"], cpe.History[1].RequestsFromAcs);
        var read = (await fixture.System.EventsAsync(response.Workflow.WorkflowId)).Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ParametersRead);
        Assert.Equal(cpe.GetValue(Ssid), read.ParametersRead.Values.Single(v => v.Name == Ssid).Value);
        Assert.Equal("********", read.ParametersRead.Values.Single(v => v.Name == Passphrase).Value);
    }

    [Fact]
    public async Task Get_of_a_parameter_the_device_lacks_fails_with_its_fault_and_counts_in_the_failure_report()
    {
        var (serial, _) = await IdleDeviceAsync("OPGF");

        var response = await fixture.System.Provisioning.GetDeviceParametersAsync(
            new GetDeviceParametersRequest { SerialNumber = serial, ParameterNames = { "Device.NoSuchObject.NoSuchParameter" } }, deadline: DateTime.UtcNow + Patience);

        Assert.Equal(WorkflowResult.OperationFailed, response.Workflow.Result);
        Assert.Equal(WorkflowStep.GetParameters, response.Workflow.FailedStep);
        Assert.Equal(9005u, response.Workflow.FaultCode);
        var row = await UntilAsync(async () =>
            (await fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest())).Rows
                .FirstOrDefault(r => r.Step == WorkflowStep.GetParameters && r.FaultCode == 9005), Patience);
        Assert.Equal(WorkflowResult.OperationFailed, row.Result);
    }

    [Fact]
    public async Task Set_by_an_admin_is_written_with_a_ParameterKey_recorded_with_secrets_masked_and_audited()
    {
        var (serial, cpe) = await IdleDeviceAsync("OPST");

        var response = await fixture.System.Provisioning.SetDeviceParametersAsync(new SetDeviceParametersRequest
        {
            SerialNumber = serial,
            Wait = true,
            Parameters =
            {
                new ParameterValue { Name = Ssid, Value = "Ops-24" },
                new ParameterValue { Name = Passphrase, Value = "ops-secret-24" },
            },
        }, deadline: DateTime.UtcNow + Patience);

        Assert.Equal(WorkflowResult.Success, response.Workflow.Result);
        Assert.Equal("Ops-24", cpe.GetValue(Ssid));
        Assert.Equal("ops-secret-24", cpe.GetValue(Passphrase));
        var events = await fixture.System.EventsAsync(response.Workflow.WorkflowId);
        var written = events.Single(e => e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ParametersWritten).ParametersWritten;
        Assert.Equal(cpe.ParameterKey, written.ParameterKey);
        Assert.Equal("Ops-24", written.Parameters.Single(p => p.Name == Ssid).Value);
        Assert.Equal("********", written.Parameters.Single(p => p.Name == Passphrase).Value);
        Assert.Equal("********", events[0].ProvisioningRequested.Parameters.Single(p => p.Name == Passphrase).Value);
        Assert.DoesNotContain(events, e => e.ToString().Contains("ops-secret-24", StringComparison.Ordinal));

        await using var session = fixture.System.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var audits = await session.Events.QueryRawEventDataOnly<DeviceParametersSet>().Where(a => a.SerialNumber == serial).ToListAsync();
        var audit = Assert.Single(audits);
        Assert.Equal("test-admin", audit.ChangedBy);
        Assert.Equal(Guid.Parse(response.Workflow.WorkflowId), audit.WorkflowId);
        Assert.Equal("********", audit.Parameters.Single(p => p.Name == Passphrase).Value);
    }

    [Fact]
    public async Task Set_is_refused_for_an_operator_key_and_nothing_is_started()
    {
        var (serial, _) = await IdleDeviceAsync("OPSO");
        var asOperator = new ProvisioningService.ProvisioningServiceClient(fixture.System.Invoker(SystemUnderTest.OperatorKey));

        var refused = await Assert.ThrowsAsync<RpcException>(() => asOperator.SetDeviceParametersAsync(new SetDeviceParametersRequest
        {
            SerialNumber = serial,
            Parameters = { new ParameterValue { Name = Ssid, Value = "Nope" } },
        }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Empty(workflows.Workflows);
        // An operator may reboot and read.
        var read = await asOperator.GetDeviceParametersAsync(new GetDeviceParametersRequest { SerialNumber = serial, ParameterNames = { Ssid } },
            deadline: DateTime.UtcNow + Patience);
        Assert.Equal(WorkflowResult.Success, read.Workflow.Result);
    }

    [Fact]
    public async Task An_operation_on_a_device_with_an_active_workflow_is_refused_naming_it()
    {
        // A slow device keeps the first operation running while the second is asked for.
        var (serial, _) = await IdleDeviceAsync("OPAC", new CpeBehavior { AnswerDelay = TimeSpan.FromSeconds(2) });
        var first = await fixture.System.Provisioning.RebootDeviceAsync(new DeviceOperationRequest { SerialNumber = serial });

        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Provisioning.GetDeviceParametersAsync(
            new GetDeviceParametersRequest { SerialNumber = serial, ParameterNames = { Ssid } }).ResponseAsync);
        var provision = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "SimGateway", Protocol = DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(first.Workflow.WorkflowId, refused.Status.Detail, StringComparison.Ordinal);
        // Provisioning keeps its contract: the active workflow comes back, existing.
        Assert.True(provision.Existing);
        Assert.Equal(first.Workflow.WorkflowId, provision.Workflow.WorkflowId);
        Assert.Equal(WorkflowResult.Success, (await fixture.System.WaitForTerminalAsync(first.Workflow.WorkflowId, Patience)).Result);
    }
}
