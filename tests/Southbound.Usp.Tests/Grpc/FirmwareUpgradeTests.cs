using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Southbound.Usp.Messages.Notify;
using Provisioning.Southbound.Usp.Messages.Operate;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Grpc;

/// <summary>
/// DownloadFirmware carried to its end against simulated agents over real WebSockets and a real file server:
/// Download() into the bank not running, its OperationComplete, Activate(), the reboot, Boot! and the version after.
/// </summary>
public sealed class FirmwareUpgradeTests : IAsyncLifetime
{
    private const string Bank1 = "Device.DeviceInfo.FirmwareImage.1.";
    private const string Bank2 = "Device.DeviceInfo.FirmwareImage.2.";
    private UspTestHost _host = null!;
    private FirmwareFileServer _files = null!;

    public async Task InitializeAsync()
    {
        // An agent without a Boot! subscription is waited for this long after it reconnects.
        _host = await UspTestHost.StartAsync(new Dictionary<string, string?> { ["Usp:BootAfterReconnectWait"] = "00:00:01" });
        _files = await FirmwareFileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _files.DisposeAsync();
    }

    private static DeviceRef Ref(SimulatedUspAgent agent) => new() { EndpointId = agent.EndpointId, SerialNumber = agent.Identity.SerialNumber, Protocol = DeviceProtocol.Usp };

    private async Task<SimulatedUspAgent> ConnectedAgentAsync(string serial, Action<SimulatedUspAgent>? prepare = null)
    {
        var agent = _host.StartAgent(serial, prepare: prepare);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(agent.EndpointId).Count > 0, "first contact");
        return agent;
    }

    private DownloadFirmwareRequest Upgrade(SimulatedUspAgent agent, string commandKey, string file, bool withChecks = true)
    {
        var request = new DownloadFirmwareRequest { Device = Ref(agent), WorkflowId = "wf-" + commandKey, CommandKey = commandKey, Url = _files.UrlOf(file) };
        if (withChecks && _files.Files.TryGetValue(file, out var image))
        {
            request.FileSize = (ulong)image.Length;
            request.Sha256 = FirmwareFileServer.Sha256Of(image);
        }
        return request;
    }

    private static DateTime Deadline(double seconds = 20) => DateTime.UtcNow.AddSeconds(seconds);

    private static int OperationCompleteSubscriptions(SimulatedUspAgent agent) =>
        agent.DataModel.Snapshot().Count(p => p.Key.EndsWith(".NotifType", StringComparison.Ordinal) && p.Value == "OperationComplete");

    [Fact]
    public async Task An_upgrade_downloads_into_the_spare_bank_activates_it_and_reports_the_new_version()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Telemetry.UspTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        _files.Files["gw-3.0.0.bin"] = FirmwareFileServer.Image("3.0.0");
        var agent = await ConnectedAgentAsync("FWUP1");
        var boots = agent.Statistics.BootsSent;
        var request = Upgrade(agent, "fw-3", "gw-3.0.0.bin");
        (request.Username, request.Password) = ("fw", "s3cret-fw");

        var response = await _host.Adapter.DownloadFirmwareAsync(request, deadline: Deadline());

        Assert.Null(response.Failure);
        Assert.Equal(("fw-3", 0u, ""), (response.Transfer.CommandKey, response.Transfer.FaultCode, response.Transfer.FaultString));
        Assert.Equal("3.0.0", response.FirmwareVersionAfter);
        Assert.True(DateTimeOffset.TryParse(response.Transfer.StartTime, out var start) && DateTimeOffset.TryParse(response.Transfer.CompleteTime, out var complete) && start <= complete,
            $"times {response.Transfer.StartTime} .. {response.Transfer.CompleteTime}");
        Assert.Equal(Bank2, agent.DataModel["Device.DeviceInfo.ActiveFirmwareImage"]);
        Assert.Equal("2.4.1", agent.DataModel[Bank1 + "Version"]); // the old image stays for a fallback
        await UspTestHost.EventuallyAsync(() => agent.Statistics.BootsSent == boots + 1, "one reboot into the new image"); // counted once sent
        Assert.Equal(1, OperationCompleteSubscriptions(agent));
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.EventCodesOf(agent.EndpointId).Contains("Boot!"), "the Boot! reported as a contact");

        var span = Assert.Single(spans, s => s.OperationName == "usp.firmware_upgrade" && (string?)s.GetTagItem("usp.endpoint_id") == agent.EndpointId);
        Assert.Equal(("fw-3", Bank2, "2.4.1", "3.0.0", "upgraded"), ((string?)span.GetTagItem("usp.command_key"), (string?)span.GetTagItem("usp.firmware.image"),
            (string?)span.GetTagItem("usp.firmware.version_before"), (string?)span.GetTagItem("usp.firmware.version_after"), (string?)span.GetTagItem("usp.firmware.outcome")));
        Assert.Contains(span.Events, e => e.Name == "usp.boot");
        Assert.Contains(spans, s => s.OperationName == "usp.Operate" && s.ParentSpanId == span.SpanId);
        Assert.DoesNotContain(spans.SelectMany(s => s.TagObjects), t => t.Value is string v && v.Contains("s3cret-fw", StringComparison.Ordinal));

        // The next release goes into the bank now spare (1); the subscription is not made twice.
        _files.Files["gw-3.1.bin"] = FirmwareFileServer.Image("3.1");
        var second = await _host.Adapter.DownloadFirmwareAsync(Upgrade(agent, "fw-31", "gw-3.1.bin"), deadline: Deadline());
        Assert.Null(second.Failure);
        Assert.Equal("3.1", second.FirmwareVersionAfter);
        Assert.Equal(Bank1, agent.DataModel["Device.DeviceInfo.ActiveFirmwareImage"]);
        Assert.Equal("3.0.0", agent.DataModel[Bank2 + "Version"]);
        Assert.Equal(1, OperationCompleteSubscriptions(agent));
        Assert.Equal(0, _host.Services.GetRequiredService<OperationCompletions>().Count);
        Assert.Equal(0, _host.Services.GetRequiredService<AwaitedBoots>().Count);
    }

    [Theory]
    [InlineData("corrupted", "checksum mismatch", "ValidationFailed")]
    [InlineData("missing", "HTTP 404", "DownloadFailed")]
    public async Task A_failed_download_is_the_transfer_fault_with_its_usp_code_and_nothing_is_activated(string what, string reason, string status)
    {
        var measured = new ConcurrentQueue<(string? Outcome, long? Code)>();
        using var meter = new MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Name == "usp.firmware.upgrades") l.EnableMeasurementEvents(instrument); },
        };
        meter.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? outcome = null;
            long? code = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome") outcome = tag.Value as string;
                if (tag.Key == "code") code = tag.Value as long?;
            }
            measured.Enqueue((outcome, code));
        });
        meter.Start();
        var image = FirmwareFileServer.Image("9.9");
        _files.Files["gw-9.9.bin"] = image;
        var agent = await ConnectedAgentAsync("FWBAD-" + what.ToUpperInvariant());
        var boots = agent.Statistics.BootsSent;
        var request = Upgrade(agent, "fw-bad", what == "missing" ? "gw-gone.bin" : "gw-9.9.bin", withChecks: false);
        if (what == "corrupted") request.Sha256 = new string('0', 64);

        var response = await _host.Adapter.DownloadFirmwareAsync(request, deadline: Deadline());

        Assert.Null(response.Failure);
        Assert.Equal(("fw-bad", 7022u), (response.Transfer.CommandKey, response.Transfer.FaultCode));
        Assert.Contains(reason, response.Transfer.FaultString, StringComparison.Ordinal);
        Assert.Equal("", response.FirmwareVersionAfter);
        Assert.Equal(status, agent.DataModel[Bank2 + "Status"]);
        Assert.Equal((Bank1, "2.4.1"), (agent.DataModel["Device.DeviceInfo.ActiveFirmwareImage"], agent.DataModel["Device.DeviceInfo.SoftwareVersion"]));
        await Task.Delay(300);
        Assert.Equal(boots, agent.Statistics.BootsSent); // no Activate(), no reboot
        meter.RecordObservableInstruments();
        Assert.Contains(("download_failed", 7022L), measured);
    }

    [Fact]
    public async Task A_device_that_comes_back_on_its_old_version_is_reported_so_without_a_fault()
    {
        _files.Files["gw-4.0.bin"] = FirmwareFileServer.Image("4.0");
        var agent = await ConnectedAgentAsync("FWOLD1", a => a.KeepsOldFirmware = true);
        var boots = agent.Statistics.BootsSent;

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(agent, "fw-old", "gw-4.0.bin"), deadline: Deadline());

        Assert.Null(response.Failure);
        Assert.Equal(0u, response.Transfer.FaultCode);
        Assert.Equal("2.4.1", response.FirmwareVersionAfter);
        await UspTestHost.EventuallyAsync(() => agent.Statistics.BootsSent == boots + 1, "it did reboot");
    }

    [Fact]
    public async Task A_download_the_agent_refuses_at_once_is_a_step_failure_with_its_code()
    {
        _files.Files["gw-5.bin"] = FirmwareFileServer.Image("5");
        var agent = await ConnectedAgentAsync("FWREF1", a => a.InjectError(Bank2 + "Download()", 7004));

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(agent, "fw-ref", "gw-5.bin"), deadline: Deadline());

        Assert.Equal((FailureKind.DeviceFault, 7004u), (response.Failure.Kind, response.Failure.FaultCode));
        Assert.Null(response.Transfer);
        Assert.Empty(_files.Requests);
    }

    [Fact]
    public async Task An_agent_that_is_not_connected_is_unreachable_and_bad_arguments_are_refused_before_the_agent()
    {
        var missing = await _host.Adapter.DownloadFirmwareAsync(new DownloadFirmwareRequest { Device = new DeviceRef { EndpointId = "os::00D09E-NOBODY" }, Url = _files.UrlOf("x.bin") }, deadline: Deadline(5));
        Assert.Equal(FailureKind.Unreachable, missing.Failure.Kind);

        var agent = await ConnectedAgentAsync("FWARG1");
        var requests = agent.Statistics.Requests;
        var noUrl = await Assert.ThrowsAsync<RpcException>(() => _host.Adapter.DownloadFirmwareAsync(new DownloadFirmwareRequest { Device = Ref(agent) }, deadline: Deadline(5)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noUrl.StatusCode);
        var badSum = await Assert.ThrowsAsync<RpcException>(() => _host.Adapter.DownloadFirmwareAsync(new DownloadFirmwareRequest { Device = Ref(agent), Url = _files.UrlOf("x.bin"), Sha256 = "abc" }, deadline: Deadline(5)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badSum.StatusCode);
        Assert.Equal(requests, agent.Statistics.Requests);
    }

    [Fact]
    public async Task A_download_outlasting_the_step_times_out_and_its_late_OperationComplete_changes_nothing()
    {
        _files.Files["slow.bin"] = FirmwareFileServer.Image("6.0");
        _files.Delays["slow.bin"] = TimeSpan.FromSeconds(3);
        var agent = await ConnectedAgentAsync("FWSLOW1");
        var completed = agent.Statistics.OperationsCompleted;

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(agent, "fw-slow", "slow.bin"), deadline: Deadline(2));

        Assert.Equal(FailureKind.Timeout, response.Failure.Kind);
        await UspTestHost.EventuallyAsync(() => agent.Statistics.OperationsCompleted > completed, "the late OperationComplete sent", TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        Assert.Equal(0, _host.Services.GetRequiredService<OperationCompletions>().Count);
        Assert.Equal(Bank1, agent.DataModel["Device.DeviceInfo.ActiveFirmwareImage"]); // nobody activated it

        // The controller and the agent carry on: the next upgrade goes through.
        _files.Files["gw-6.1.bin"] = FirmwareFileServer.Image("6.1");
        var next = await _host.Adapter.DownloadFirmwareAsync(Upgrade(agent, "fw-next", "gw-6.1.bin"), deadline: Deadline());
        Assert.Null(next.Failure);
        Assert.Equal("6.1", next.FirmwareVersionAfter);
    }

    [Fact]
    public async Task An_agent_that_sends_no_Boot_after_the_reboot_has_its_version_read_once_it_is_back()
    {
        _files.Files["gw-11.bin"] = FirmwareFileServer.Image("11.0");
        var agent = await ConnectedAgentAsync("FWNOBOOT1");
        // It loses the controller's Boot! subscription: after the reboot it reconnects and says nothing.
        var boot = agent.DataModel.Instances("Device.LocalAgent.Subscription.").Single(i => agent.DataModel[i + "ReferenceList"] == "Device.Boot!");
        agent.DataModel.Update(boot + "Enable", "false");
        var boots = agent.Statistics.BootsSent;
        var connects = agent.Statistics.Connects;

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(agent, "fw-quiet", "gw-11.bin"), deadline: Deadline());

        Assert.Null(response.Failure);
        Assert.Equal("11.0", response.FirmwareVersionAfter);
        Assert.Equal(boots, agent.Statistics.BootsSent);
        Assert.Equal(connects + 1, agent.Statistics.Connects);
    }

    [Fact]
    public async Task An_activation_the_agent_refuses_is_a_step_failure_after_a_good_transfer_and_the_device_keeps_running()
    {
        _files.Files["gw-12.bin"] = FirmwareFileServer.Image("12.0");
        var agent = await ConnectedAgentAsync("FWNOACT1", a => a.InjectError(Bank2 + "Activate()", 7022));
        var boots = agent.Statistics.BootsSent;

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(agent, "fw-noact", "gw-12.bin"), deadline: Deadline());

        Assert.Equal((FailureKind.DeviceFault, 7022u), (response.Failure.Kind, response.Failure.FaultCode));
        Assert.Equal(0u, response.Transfer.FaultCode); // the image is there, only not running
        Assert.Equal("", response.FirmwareVersionAfter);
        Assert.Equal(("12.0", Bank1), (agent.DataModel[Bank2 + "Version"], agent.DataModel["Device.DeviceInfo.ActiveFirmwareImage"]));
        Assert.Equal(boots, agent.Statistics.BootsSent);
        Assert.Equal(0, _host.Services.GetRequiredService<AwaitedBoots>().Count);
    }
}
