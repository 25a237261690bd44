using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Telemetry;

/// <summary>One trace per workflow: its spans, their parents across the gRPC boundary, their status, and the metrics.</summary>
public sealed class WorkflowTraceTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly CapturedLogs _logs = new();
    private TracerProvider _tracing = null!;
    private MeterProvider _meters = null!;
    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _system = null!;
    private OrchestratorFixture _helper = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("Provisioning.*")
            .AddAspNetCoreInstrumentation()
            .AddGrpcClientInstrumentation()
            .AddInMemoryExporter(_spans)
            .Build();
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter("Provisioning.*").AddInMemoryExporter(_metrics).Build();
        _adapter = await ScriptedAdapter.StartAsync();
        var settings = OrchestratorFixture.Settings(_adapter);
        settings["Logging:LogLevel:Default"] = "Debug";
        _system = await SystemUnderTest.StartAsync(settings, builder => builder.Logging.AddProvider(_logs));
        _helper = OrchestratorFixture.Over(_adapter, _system);
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _adapter.DisposeAsync();
        _tracing.Dispose();
        _meters.Dispose();
    }

    public static TheoryData<string, string?> Outcomes => new()
    {
        { "success", null },
        { "unknown_device", "authenticate" },
        { "no_profile", "fetch_profile" },
        { "config_push_failed", "push_config" },
        { "verification_failed", "verify" },
        { "device_unreachable", "authenticate" },
        { "timed_out", "push_config" },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Every_workflow_is_one_trace_whose_step_spans_tell_which_step_failed_and_why(string result, string? failedStep)
    {
        var workflow = await RunAsync(result);
        Assert.Equal(result, Name(workflow.Result));

        var trace = await SpansOfAsync(workflow.TraceId);
        var root = Assert.Single(trace, s => s.OperationName == "cpe.provision");
        var server = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("ProvisionDevice"));
        Assert.Equal(server.SpanId, root.ParentSpanId);
        Assert.Equal(workflow.Device.SerialNumber, root.GetTagItem("cpe.serial_number"));

        var steps = trace.Where(s => s.OperationName.StartsWith("cpe.provision.", StringComparison.Ordinal)).ToList();
        Assert.All(steps, s => Assert.Equal(root.SpanId, s.ParentSpanId));
        if (failedStep is null)
        {
            Assert.Equal(ActivityStatusCode.Unset, root.Status);
            Assert.Equal(["cpe.provision.authenticate", "cpe.provision.fetch_profile", "cpe.provision.push_config", "cpe.provision.verify"],
                steps.OrderBy(s => s.StartTimeUtc).Select(s => s.OperationName));
            var push = steps.Single(s => s.OperationName == "cpe.provision.push_config");
            Assert.Equal(21, push.GetTagItem("cpe.config.param_count"));
            Assert.Equal(true, push.GetTagItem("cpe.config.has_voip"));
            Assert.Equal("2.4GHz,5GHz", push.GetTagItem("cpe.config.wifi_bands"));
            Assert.Equal("gold", steps.Single(s => s.OperationName == "cpe.provision.fetch_profile").GetTagItem("cpe.service_plan"));
            Assert.Equal(0, steps.Single(s => s.OperationName == "cpe.provision.verify").GetTagItem("cpe.verify.mismatches"));
        }
        else
        {
            Assert.Equal(ActivityStatusCode.Error, root.Status);
            Assert.Equal(workflow.FailureReason, root.StatusDescription);
            var failing = Assert.Single(steps, s => s.Status == ActivityStatusCode.Error);
            Assert.Equal($"cpe.provision.{failedStep}", failing.OperationName);
            Assert.Equal(workflow.FailureReason, failing.StatusDescription);
            Assert.Equal(result, failing.GetTagItem("cpe.result"));
        }

        // The southbound calls cross the gRPC boundary inside the step spans, and the adapter's server span continues the trace.
        foreach (var client in trace.Where(s => s.Kind == ActivityKind.Client && s.DisplayName.Contains("DeviceAdapter") && !s.DisplayName.Contains("Release")))
        {
            Assert.Contains(steps, s => s.SpanId == client.ParentSpanId);
            Assert.Contains(trace, s => s.Kind == ActivityKind.Server && s.ParentSpanId == client.SpanId);
        }
        if (result is "success" or "config_push_failed" or "verification_failed")
        {
            Assert.Contains(trace, s => s.Kind == ActivityKind.Client && s.DisplayName.Contains("PushConfig"));
        }

        // Every event of the workflow points into this trace.
        var events = await _system.EventsAsync(workflow.WorkflowId);
        Assert.All(events, e => Assert.Equal(workflow.TraceId, e.TraceId));
        Assert.All(events, e => Assert.Contains(trace, s => s.SpanId.ToHexString() == e.SpanId));

        _meters.ForceFlush();
        Assert.Contains(Points("cpe.provision.count"), p => Tag(p, "result") == result);
        Assert.Contains(Points("cpe.provision.duration"), p => Tag(p, "result") == result);
        if (failedStep is not null && result != "unknown_device")
            Assert.Contains(Points("cpe.provision.step_duration"), p => Tag(p, "step") == failedStep && Tag(p, "outcome") == result);
        Assert.NotEmpty(Points("cpe.provision.active_sessions"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_upgrade_step_span_tells_the_versions_and_the_transfer_fault_and_never_the_image_password(bool fails)
    {
        var manufacturer = "Fw" + Guid.NewGuid().ToString("N")[..8];
        await _system.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest
        {
            Profile = new ModelProfile
            {
                Name = "fw-" + manufacturer.ToLowerInvariant(), Manufacturer = manufacturer, Model = "HG-100",
                Firmware = new FirmwareTarget
                {
                    Version = "2.0.1", Url = "https://images.example.net/2.0.1.bin", FileSize = 1024, Sha256 = new string('c', 64),
                    Username = "cpe-images", Password = "span-image-secret",
                },
            },
        });
        var serial = await _helper.RegisterAsync(new DeviceScript
        {
            Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3", TransferFault = fails ? (9010u, "Download failure") : null,
        });
        var workflow = await _system.WaitForTerminalAsync((await _helper.ProvisionAsync(serial)).Workflow.WorkflowId);

        var trace = await SpansOfAsync(workflow.TraceId);
        var upgrade = Assert.Single(trace, s => s.OperationName == "cpe.provision.upgrade_firmware");
        Assert.Equal("1.2.3", upgrade.GetTagItem("cpe.firmware.version_before"));
        Assert.Equal("2.0.1", upgrade.GetTagItem("cpe.firmware.version_target"));
        if (fails)
        {
            Assert.Equal(9010u, upgrade.GetTagItem("cpe.firmware.fault_code"));
            Assert.Equal("firmware_upgrade_failed", upgrade.GetTagItem("cpe.result"));
            Assert.Equal(ActivityStatusCode.Error, upgrade.Status);
            Assert.DoesNotContain(trace, s => s.OperationName == "cpe.provision.push_config");
        }
        else
        {
            Assert.Equal("2.0.1", upgrade.GetTagItem("cpe.firmware.version_after"));
            Assert.Equal(ActivityStatusCode.Unset, upgrade.Status);
            Assert.True(trace.Single(s => s.OperationName == "cpe.provision.push_config").StartTimeUtc >= upgrade.StartTimeUtc + upgrade.Duration);
        }
        Assert.Contains(trace, s => s.Kind == ActivityKind.Client && s.DisplayName.Contains("DownloadFirmware") && s.ParentSpanId == upgrade.SpanId);
        Assert.DoesNotContain(trace, s => s.TagObjects.Any(t => t.Value?.ToString()?.Contains("span-image-secret", StringComparison.Ordinal) == true));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("span-image-secret", StringComparison.Ordinal));

        _meters.ForceFlush();
        Assert.Contains(Points("cpe.provision.step_duration"), p => Tag(p, "step") == "upgrade_firmware" && Tag(p, "outcome") == (fails ? "firmware_upgrade_failed" : "success"));
    }

    [Fact]
    public async Task A_callers_traceparent_is_honoured_and_the_whole_workflow_lands_in_that_trace()
    {
        var serial = await _helper.RegisterAsync(new DeviceScript());
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        var headers = new Metadata { { "traceparent", $"00-{traceId.ToHexString()}-{parent.ToHexString()}-01" }, { "authorization", $"Bearer {SystemUnderTest.AdminKey}" } };

        // An OSS caller in another process: its own traceparent header, nothing injected by this test process's HttpClient.
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(_system.GrpcAddress, new global::Grpc.Net.Client.GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() },
        });
        var oss = new ProvisioningService.ProvisioningServiceClient(channel);
        ProvisionDeviceResponse started;
        using (SuppressInstrumentationScope.Begin())
        {
            started = await oss.ProvisionDeviceAsync(new ProvisionDeviceRequest
            {
                Device = new DeviceRef { SerialNumber = serial, Oui = "00D09E", Protocol = DeviceProtocol.Cwmp },
                RequestId = Guid.NewGuid().ToString(),
            }, headers);
        }
        var workflow = await _system.WaitForTerminalAsync(started.Workflow.WorkflowId);

        Assert.Equal(traceId.ToHexString(), workflow.TraceId);
        var trace = await SpansOfAsync(workflow.TraceId);
        var server = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("ProvisionDevice"));
        Assert.Equal(parent, server.ParentSpanId);
        Assert.Equal(4, trace.Count(s => s.OperationName.StartsWith("cpe.provision.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task No_secret_appears_in_any_span_metric_or_log_line()
    {
        var outcomes = new[] { "success", "verification_failed", "config_push_failed" };
        var workflows = new List<Workflow>();
        foreach (var outcome in outcomes) workflows.Add(await RunAsync(outcome, secretSuffix: "S3cr3t"));
        foreach (var w in workflows) await SpansOfAsync(w.TraceId);
        _meters.ForceFlush();

        var secrets = new[] { "wifi-secret-24", "wifi-secret-5G", "sip-secret-1" };
        List<Activity> spans;
        lock (_spans) spans = [.. _spans];
        var exported = string.Join("\n", spans.Select(s =>
            $"{s.DisplayName} {string.Join(",", s.TagObjects.Select(t => $"{t.Key}={t.Value}"))} {s.StatusDescription} " +
            string.Join(",", s.Events.Select(e => e.Name + string.Join(",", e.Tags.Select(t => $"{t.Key}={t.Value}"))))));
        var metricTags = string.Join("\n", _metrics.SelectMany(m => PointsOf(m)).SelectMany(p => TagsOf(p)));
        var logs = string.Join("\n", _logs.Lines);
        Assert.NotEmpty(logs);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, exported);
            Assert.DoesNotContain(secret, metricTags);
            Assert.DoesNotContain(secret, logs);
        }
    }

    private async Task<Workflow> RunAsync(string result, string secretSuffix = "")
    {
        DeviceScript script = result switch
        {
            "config_push_failed" => new DeviceScript { PushFailure = new StepFailure { Kind = FailureKind.DeviceFault, FaultCode = 9007, FaultString = "Invalid parameter value" } },
            "verification_failed" => new DeviceScript { NotApplied = ["Device.WiFi.SSID.1.SSID"] },
            "device_unreachable" => new DeviceScript { AuthenticateFailure = new StepFailure { Kind = FailureKind.Unreachable } },
            "timed_out" => new DeviceScript { PushDelay = TimeSpan.FromSeconds(30) },
            _ => new DeviceScript(),
        };
        string serial;
        if (result == "unknown_device") serial = _helper.NewSerial("NOPE");
        else serial = await _helper.RegisterAsync(script, plan: result == "no_profile" ? "missing-plan" : "gold");
        if (result == "no_profile")
        {
            await _system.Inventory.DeleteServicePlanAsync(new DeleteServicePlanRequest { Name = "missing-plan" });
        }
        var started = await _helper.ProvisionAsync(serial);
        return await _system.WaitForTerminalAsync(started.Workflow.WorkflowId);
    }

    private async Task<List<Activity>> SpansOfAsync(string traceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            List<Activity> trace;
            lock (_spans) trace = _spans.Where(s => s.TraceId.ToHexString() == traceId).ToList();
            if (trace.Any(s => s.OperationName == "cpe.provision") || DateTime.UtcNow > deadline) return trace;
            await Task.Delay(50);
        }
    }

    private IEnumerable<MetricPoint> Points(string name) => _metrics.Where(m => m.Name == name).SelectMany(PointsOf);

    private static IEnumerable<MetricPoint> PointsOf(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints()) points.Add(point);
        return points;
    }

    private static IEnumerable<string> TagsOf(MetricPoint point)
    {
        var tags = new List<string>();
        foreach (var tag in point.Tags) tags.Add($"{tag.Key}={tag.Value}");
        return tags;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags) if (tag.Key == key) return tag.Value?.ToString();
        return null;
    }

    private static string Name(WorkflowResult result) => result switch
    {
        WorkflowResult.Success => "success",
        WorkflowResult.UnknownDevice => "unknown_device",
        WorkflowResult.NoProfile => "no_profile",
        WorkflowResult.ConfigPushFailed => "config_push_failed",
        WorkflowResult.VerificationFailed => "verification_failed",
        WorkflowResult.DeviceUnreachable => "device_unreachable",
        WorkflowResult.TimedOut => "timed_out",
        _ => result.ToString(),
    };
}
