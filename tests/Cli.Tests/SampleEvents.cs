using Google.Protobuf.WellKnownTypes;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Tests;

/// <summary>Hand-built event streams covering every payload type, for format and filter tests.</summary>
public static class SampleEvents
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);

    public static ProvisioningEvent Event(long position, string workflow, string serial, int secondsAfterStart, WorkflowStep step = WorkflowStep.Unspecified) => new()
    {
        GlobalPosition = position,
        WorkflowId = workflow,
        StreamVersion = position,
        SerialNumber = serial,
        OccurredAt = Timestamp.FromDateTimeOffset(Start.AddSeconds(secondsAfterStart).AddTicks(1234567)),
        Step = step,
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
    };

    /// <summary>A successful workflow of model HG8245 on plan gold, and a failed one of model F@ST on plan "silver, basic".</summary>
    public static IReadOnlyList<ProvisioningEvent> TwoWorkflows()
    {
        var ok = "wf-ok";
        var bad = "wf-bad";
        var events = new List<ProvisioningEvent>();
        var e = Event(1, ok, "SN-OK", 0);
        e.EventType = "ProvisioningRequested";
        e.ProvisioningRequested = new ProvisioningRequested
        {
            Device = new DeviceRef { SerialNumber = "SN-OK", Oui = "00D09E", ProductClass = "HG", Protocol = DeviceProtocol.Cwmp },
            RequestId = "r-1",
            Trigger = WorkflowTrigger.ZeroTouch,
            EventCodes = { "0 BOOTSTRAP", "1 BOOT" },
        };
        events.Add(e);

        e = Event(2, bad, "SN-BAD", 1);
        e.EventType = "ProvisioningRequested";
        e.ProvisioningRequested = new ProvisioningRequested { Trigger = WorkflowTrigger.Oss, RequestId = "r-2" };
        events.Add(e);

        e = Event(3, ok, "SN-OK", 2, WorkflowStep.Authenticate);
        e.EventType = "DeviceAuthenticated";
        e.DeviceAuthenticated = new DeviceAuthenticated { Model = "HG8245", FirmwareVersion = "V3R017", DataModelRoot = "Device.", ReachedVia = "inform" };
        events.Add(e);

        e = Event(4, bad, "SN-BAD", 3, WorkflowStep.Authenticate);
        e.EventType = "DeviceAuthenticated";
        e.DeviceAuthenticated = new DeviceAuthenticated { Model = "F@ST 5670", FirmwareVersion = "1.0,beta \"rc\"", DataModelRoot = "InternetGatewayDevice." };
        events.Add(e);

        e = Event(5, ok, "SN-OK", 4, WorkflowStep.FetchProfile);
        e.EventType = "ServiceProfileFetched";
        e.ServiceProfileFetched = new ServiceProfileFetched { ServicePlan = "gold", ParameterCount = 12, HasVoip = true, WifiBands = { "2.4GHz", "5GHz" } };
        events.Add(e);

        e = Event(6, bad, "SN-BAD", 5, WorkflowStep.FetchProfile);
        e.EventType = "ServiceProfileFetched";
        e.ServiceProfileFetched = new ServiceProfileFetched { ServicePlan = "silver, basic", ParameterCount = 4 };
        events.Add(e);

        e = Event(7, ok, "SN-OK", 6, WorkflowStep.PushConfig);
        e.EventType = "ConfigPushed";
        e.ConfigPushed = new ConfigPushed
        {
            ParameterCount = 2,
            ParameterKey = "k-1",
            Parameters =
            {
                new ParameterValue { Name = "Device.WiFi.SSID.1.SSID", Value = "home\nnet, \"quoted\"", Type = ParameterType.String },
                new ParameterValue { Name = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", Value = "<redacted sha256:ab12>", Secret = true },
            },
        };
        events.Add(e);

        e = Event(8, bad, "SN-BAD", 7, WorkflowStep.PushConfig);
        e.EventType = "ProvisioningFailed";
        e.ProvisioningFailed = new ProvisioningFailed
        {
            Result = WorkflowResult.ConfigPushFailed,
            Step = WorkflowStep.PushConfig,
            Reason = "SetParameterValues fault 9007: invalid parameter value",
            FaultCode = 9003,
            FaultString = "Invalid arguments",
            ParameterFaults = { new ParameterFault { Name = "InternetGatewayDevice.X", FaultCode = 9007, FaultString = "Invalid parameter value" } },
            DurationMs = 7000,
            Model = "F@ST 5670",
            FirmwareVersion = "1.0,beta \"rc\"",
            ServicePlan = "silver, basic",
        };
        events.Add(e);

        e = Event(9, ok, "SN-OK", 8, WorkflowStep.Verify);
        e.EventType = "ConfigVerified";
        e.ConfigVerified = new ConfigVerified { ParameterCount = 2 };
        events.Add(e);

        e = Event(10, ok, "SN-OK", 9);
        e.EventType = "ProvisioningSucceeded";
        e.ProvisioningSucceeded = new ProvisioningSucceeded { DurationMs = 9000 };
        events.Add(e);

        e = Event(11, "wf-cancel", "SN-C", 10);
        e.EventType = "ProvisioningCancelled";
        e.ProvisioningCancelled = new ProvisioningCancelled { Reason = "operator", CancelledBy = "cli" };
        events.Add(e);

        e = Event(12, "wf-resume", "SN-R", 11, WorkflowStep.PushConfig);
        e.EventType = "WorkflowResumed";
        e.WorkflowResumed = new WorkflowResumed { Step = WorkflowStep.PushConfig, Instance = "orch-2", OriginalTraceId = "abc" };
        events.Add(e);

        // No payload and no time: the export must still round-trip it.
        events.Add(new ProvisioningEvent { GlobalPosition = 13, WorkflowId = "wf-x", EventType = "Unknown" });
        return events;
    }
}
