using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Simulators.Cwmp.Firmware;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Telemetry;

public sealed class CwmpTelemetryTests : IDisposable
{
    private static readonly ActivitySource TestSource = new("Provisioning.Tests.Cwmp");
    private readonly ConcurrentBag<Activity> stopped = [];
    private readonly ActivityListener listener;

    public CwmpTelemetryTests()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void Dispose() => listener.Dispose();

    [Fact]
    public async Task An_inform_has_a_span_with_the_device_and_an_rpc_exchange_is_a_child_of_the_southbound_call()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-t" };
        var cpe = h.AddDevice("SN-TRACE", new CpeBehavior().WithFault("Device.WiFi.SSID.1.SSID", 9007));
        var session = cpe.BootstrapAsync();
        await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == "SN-TRACE");

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("step push_config"))
        {
            traceId = root!.TraceId;
            var push = new PushConfigRequest { Device = AcsHarness.Ref("SN-TRACE"), ParameterKey = "k" };
            push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.SSID.1.SSID", Value = "x" });
            push.Parameters.Add(new ParameterValue { Name = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", Value = "top-secret-key", Secret = true });
            Assert.Equal(FailureKind.DeviceFault, (await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline())).Failure.Kind);
        }
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-TRACE") });
        await session;

        var inform = Assert.Single(stopped, a => a.OperationName == "cpe.inform" && Equals(a.GetTagItem("cpe.serial_number"), "SN-TRACE"));
        Assert.Equal("00D09E", inform.GetTagItem("cpe.oui"));
        Assert.Equal("Simulated CPE Inc.", inform.GetTagItem("cpe.manufacturer"));
        Assert.Equal("SIM-1000", inform.GetTagItem("cpe.model"));
        Assert.Equal("1.0.0", inform.GetTagItem("cpe.firmware_version"));
        Assert.Equal(new[] { "0 BOOTSTRAP", "1 BOOT" }, (string[])inform.GetTagItem("cpe.event_codes")!);

        var exchange = Assert.Single(stopped, a => a.OperationName == "cwmp.SetParameterValues" && Equals(a.GetTagItem("cpe.serial_number"), "SN-TRACE"));
        Assert.Equal(traceId, exchange.TraceId);
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", exchange.Parent?.OperationName);
        Assert.Equal(ActivityStatusCode.Error, exchange.Status);
        Assert.Equal(9003L, exchange.GetTagItem("cpe.fault_code"));

        var everyTag = stopped.SelectMany(a => a.TagObjects).Select(t => t.Value?.ToString() ?? "");
        Assert.DoesNotContain(everyTag, v => v.Contains("top-secret-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_contact_report_is_made_inside_the_inform_span()
    {
        await using var h = await AcsHarness.StartAsync();
        var cpe = h.AddDevice("SN-CHILD");
        await cpe.BootstrapAsync();

        var inform = Assert.Single(stopped, a => a.OperationName == "cpe.inform" && Equals(a.GetTagItem("cpe.serial_number"), "SN-CHILD"));
        // traceparent = 00-<trace id>-<parent span id>-<flags>: the inform span itself or the gRPC client span under it.
        var parts = h.Orchestrator.ReportTraceParents["SN-CHILD"].Split('-');
        Assert.Equal(inform.TraceId.ToHexString(), parts[1]);
        var bySpan = stopped.Where(a => a.TraceId == inform.TraceId).ToDictionary(a => a.SpanId.ToHexString());
        var ancestor = parts[2];
        while (ancestor != inform.SpanId.ToHexString() && bySpan.TryGetValue(ancestor, out var span)) ancestor = span.ParentSpanId.ToHexString();
        Assert.Equal(inform.SpanId.ToHexString(), ancestor);
    }

    [Fact]
    public async Task The_download_firmware_call_span_carries_the_command_key_the_fault_code_and_the_version_after()
    {
        var transfers = new ConcurrentBag<(long Value, long FaultCode, bool Awaited)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Provisioning.Southbound.Cwmp" && instrument.Name == "cwmp.transfers") l.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            long code = -1;
            var awaited = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "cwmp.fault_code") code = (long)tag.Value!;
                else if (tag.Key == "cwmp.awaited") awaited = (bool)tag.Value!;
            }
            transfers.Add((value, code, awaited));
        });
        meters.Start();
        await using var h = await AcsHarness.StartAsync();
        await using var images = await ImageServer.StartAsync();
        images.Files["fw.bin"] = FirmwareImage.Create("4.0.0");
        var (_, session) = await h.HeldSessionAsync("SN-FWTRACE", "wf-fwtrace");

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("step upgrade_firmware"))
        {
            traceId = root!.TraceId;
            var upgraded = await h.Client.DownloadFirmwareAsync(new DownloadFirmwareRequest
            {
                Device = AcsHarness.Ref("SN-FWTRACE"), WorkflowId = "wf-fwtrace", CommandKey = "fw-trace", Url = images.Url("fw.bin"), Password = "image-secret",
            }, deadline: AcsHarness.Deadline(20));
            Assert.Equal("4.0.0", upgraded.FirmwareVersionAfter);
        }
        await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref("SN-FWTRACE") });
        await session.WaitAsync(TimeSpan.FromSeconds(10));

        var call = Assert.Single(stopped, a => a.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn" && Equals(a.GetTagItem("cpe.command_key"), "fw-trace"));
        Assert.Equal(traceId, call.TraceId);
        Assert.Equal(0L, call.GetTagItem("cpe.transfer.fault_code"));
        Assert.Equal("4.0.0", call.GetTagItem("cpe.firmware_version_after"));
        var wait = Assert.Single(stopped, a => a.OperationName == "cwmp.transfer_wait" && a.TraceId == traceId);
        Assert.Equal(call.SpanId, wait.ParentSpanId);
        Assert.Single(stopped, a => a.OperationName == "cwmp.Download" && a.TraceId == traceId);
        var reported = Assert.Single(stopped, a => a.OperationName == "cpe.transfer_complete" && Equals(a.GetTagItem("cpe.serial_number"), "SN-FWTRACE"));
        Assert.Equal("fw-trace", reported.GetTagItem("cpe.command_key"));
        Assert.Equal(0L, reported.GetTagItem("cpe.transfer.fault_code"));
        Assert.Equal(true, reported.GetTagItem("cwmp.transfer_awaited"));
        Assert.Contains(transfers, t => t is (1, 0, true));
        Assert.DoesNotContain(stopped.SelectMany(a => a.TagObjects), t => t.Value?.ToString()?.Contains("image-secret", StringComparison.Ordinal) == true);
    }
}
