using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

/// <summary>`cpe reboot|factory-reset|get|set` against the real orchestrator and the stand-in devices.</summary>
[Collection(nameof(CliSystemCollection))]
public sealed class DeviceOperationCommandTests(CliSystemFixture fixture)
{
    private Task<CliRun> AsOperatorAsync(params string[] args) =>
        CliRun.ExecuteAsync([.. args, "--server", fixture.System.GrpcAddress, "--token", SystemUnderTest.OperatorKey]);

    [Fact]
    public async Task Reboot_and_wait_shows_the_steps_and_succeeds()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var run = await fixture.RunAsync("reboot", serial, "--wait", "--timeout", "20");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Console.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches($"^reboot workflow [0-9a-f-]{{36}} for {serial}$", lines[0]);
        Assert.Contains(lines, l => l.Contains("kind=reboot"));
        Assert.Contains(lines, l => l.Contains("reboot_accepted [reboot]"));
        Assert.Contains(": success", lines[^1]);
    }

    [Fact]
    public async Task A_refused_reboot_shows_the_fault_and_exits_1_and_is_in_the_device_history()
    {
        var serial = CliSystemFixture.NewSerial("FAULT");
        await fixture.RegisterAsync(serial);

        var run = await fixture.RunAsync("reboot", serial, "--wait", "--timeout", "20");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Matches($"workflow [0-9a-f-]{{36}} \\({serial}\\): operation_failed at reboot fault 9001", run.Console);
        await Eventually.TrueAsync(async () => (await fixture.RunAsync("device", serial)).Console.Contains("operation_failed"),
            "the device history shows the reboot", TimeSpan.FromSeconds(20));
        var device = await fixture.RunAsync("device", serial);
        Assert.Contains("reboot", device.Console);
    }

    [Fact]
    public async Task Retrying_a_failed_operation_does_the_operation_again()
    {
        var serial = CliSystemFixture.NewSerial("FAULT");
        await fixture.RegisterAsync(serial);
        var failed = await fixture.System.Provisioning.SetDeviceParametersAsync(new SetDeviceParametersRequest
        {
            SerialNumber = serial,
            Wait = true,
            Parameters = { new Contracts.Common.ParameterValue { Name = "Device.ManagementServer.Password", Value = "retry-secret" } },
        }, deadline: DateTime.UtcNow.AddSeconds(20));
        Assert.Equal(WorkflowResult.ConfigPushFailed, failed.Workflow.Result);

        var run = await fixture.RunAsync("retry", failed.Workflow.WorkflowId, "--wait", "--timeout", "20");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        var retry = workflows.Workflows.Single(w => w.RetryOf == failed.Workflow.WorkflowId);
        Assert.Equal(WorkflowKind.SetParameters, retry.Kind);
        Assert.Equal(WorkflowStep.SetParameters, retry.FailedStep);
        Assert.Equal("********", retry.Parameters.Single().Value);
        Assert.DoesNotContain("retry-secret", run.Console);
    }

    [Fact]
    public async Task Firmware_upgrade_and_wait_shows_the_upgrade_and_succeeds()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var run = await AsOperatorAsync("firmware", "upgrade", serial, "--version", "V3R018", "--url", "https://images.example.net/hg8245/V3R018.bin",
            "--size", "4096", "--wait", "--timeout", "20");

        Assert.True(run.ExitCode == 0, run.Console + run.Error);
        var lines = run.Console.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches($"^upgrade workflow [0-9a-f-]{{36}} for {serial}$", lines[0]);
        Assert.Contains(lines, l => l.Contains("kind=upgrade_firmware") && l.Contains("firmware=V3R018"));
        Assert.Contains(lines, l => l.Contains("firmware_upgraded [upgrade_firmware]") && l.Contains("from=V3R017 to=V3R018") && l.Contains("command_key=fw"));
        Assert.Contains(": success", lines[^1]);
    }

    [Fact]
    public async Task A_refused_firmware_upgrade_ends_firmware_upgrade_failed_and_is_in_the_failure_report()
    {
        var serial = CliSystemFixture.NewSerial("FAULT");
        await fixture.RegisterAsync(serial);

        var run = await fixture.RunAsync("firmware", "upgrade", serial, "--version", "1.0.5", "--url", "http://images.example.net/1.0.5.bin", "--wait", "--timeout", "20");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Matches($"workflow [0-9a-f-]{{36}} \\({serial}\\): firmware_upgrade_failed at upgrade_firmware fault 9001", run.Console);
        await Eventually.TrueAsync(async () => (await fixture.RunAsync("failures", "--format", "csv")).Out.Split('\n')
                .Any(l => l.StartsWith("upgrade_firmware,firmware_upgrade_failed,9001,", StringComparison.Ordinal)),
            "the failure report counts the failed upgrade", TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("--version", "2.0")]
    [InlineData("--url", "https://images.example.net/2.0.bin")]
    public async Task Firmware_upgrade_with_half_an_image_is_a_usage_error_and_starts_nothing(string option, string value)
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var run = await fixture.RunAsync("firmware", "upgrade", serial, option, value);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--version and --url go together", run.Error);
        Assert.Empty((await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial })).Workflows);
    }

    [Fact]
    public async Task Factory_reset_needs_yes()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var refused = await fixture.RunAsync("factory-reset", serial);
        var done = await fixture.RunAsync("factory-reset", serial, "--yes", "--wait", "--timeout", "20");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--yes", refused.Error);
        Assert.Equal(0, done.ExitCode);
        Assert.Contains("factory_reset_accepted [factory_reset]", done.Console);
        var workflows = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial });
        Assert.Equal(WorkflowKind.FactoryReset, Assert.Single(workflows.Workflows).Kind);
        var reboots = await fixture.System.Provisioning.ListWorkflowsAsync(new ListWorkflowsRequest { SerialNumber = serial, Kind = WorkflowKind.Reboot });
        Assert.Empty(reboots.Workflows);
    }

    [Fact]
    public async Task Set_writes_typed_values_masks_secrets_and_get_reads_them_back()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var set = await fixture.RunAsync("set", serial, "Device.Time.NTPServer1=ntp.example.net:123",
            "Device.ManagementServer.PeriodicInformInterval=600:unsignedInt", "Device.WiFi.AccessPoint.1.Security.KeyPassphrase=cli-secret", "--wait", "--timeout", "20");
        var get = await fixture.RunAsync("get", serial, "Device.Time.NTPServer1", "Device.ManagementServer.PeriodicInformInterval", "--timeout", "20");

        Assert.Equal(0, set.ExitCode);
        Assert.Contains("parameters_written [set_parameters]", set.Console);
        Assert.DoesNotContain("cli-secret", set.Console);
        Assert.Equal(Contracts.Common.ParameterType.UnsignedInt, fixture.Devices.Written(serial, "Device.ManagementServer.PeriodicInformInterval")!.Type);
        Assert.Equal("cli-secret", fixture.Devices.Written(serial, "Device.WiFi.AccessPoint.1.Security.KeyPassphrase")!.Value);
        Assert.Equal(0, get.ExitCode);
        Assert.Contains("Device.Time.NTPServer1 = ntp.example.net:123", get.Console);
        Assert.Contains("Device.ManagementServer.PeriodicInformInterval = 600", get.Console);
    }

    [Fact]
    public async Task Get_as_json_and_its_values_in_the_replay()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var get = await fixture.RunAsync("get", serial, "Device.DeviceInfo.SoftwareVersion", "--format", "json");

        Assert.Equal(0, get.ExitCode);
        Assert.Contains("\"value\": \"value of Device.DeviceInfo.SoftwareVersion\"", get.Out);
        var events = await fixture.System.EventsAsync();
        Assert.Contains(events, e => e.SerialNumber == serial && e.PayloadCase == ProvisioningEvent.PayloadOneofCase.ParametersRead);
    }

    [Fact]
    public async Task Set_as_an_operator_is_rejected_and_bad_assignments_are_usage_errors()
    {
        var serial = CliSystemFixture.NewSerial("OK");
        await fixture.RegisterAsync(serial);

        var operatorSet = await AsOperatorAsync("set", serial, "Device.Time.NTPServer1=ntp.example.net");
        var operatorGet = await AsOperatorAsync("get", serial, "Device.Time.NTPServer1");
        var malformed = await fixture.RunAsync("set", serial, "Device.Time.NTPServer1");

        Assert.Equal(ExitCodes.Rejected, operatorSet.ExitCode);
        Assert.Contains("admin", operatorSet.Error);
        Assert.Equal(0, operatorGet.ExitCode);
        Assert.Equal(ExitCodes.Usage, malformed.ExitCode);
    }

    [Fact]
    public async Task An_operation_on_a_device_with_an_active_workflow_is_rejected_naming_it()
    {
        var serial = CliSystemFixture.NewSerial("SLOW");
        await fixture.RegisterAsync(serial);
        var active = await fixture.System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new Contracts.Common.DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG8245", Protocol = Contracts.Common.DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });

        var run = await fixture.RunAsync("reboot", serial);
        await fixture.RunAsync("cancel", active.Workflow.WorkflowId, "--reason", "test over");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains(active.Workflow.WorkflowId, run.Error);
    }
}
