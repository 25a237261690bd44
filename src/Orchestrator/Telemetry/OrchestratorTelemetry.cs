using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Provisioning.Orchestrator.Telemetry;

/// <summary>The orchestrator's ActivitySource and instruments, created once. Device identifiers go on spans, never on metric tags.</summary>
public static class OrchestratorTelemetry
{
    public const string Name = "Provisioning.Orchestrator";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> ProvisionDuration = Meter.CreateHistogram<double>(
        "cpe.provision.duration", unit: "ms", description: "Time from workflow acceptance to its terminal event");

    public static readonly Counter<long> ProvisionCount = Meter.CreateCounter<long>(
        "cpe.provision.count", unit: "{workflow}", description: "Workflows ended, by result");

    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "cpe.provision.step_duration", unit: "ms", description: "Duration of one workflow step, by step and outcome");

    public static readonly UpDownCounter<long> ActiveSessions = Meter.CreateUpDownCounter<long>(
        "cpe.provision.active_sessions", unit: "{workflow}", description: "Workflows being driven by this instance");

    public static readonly Counter<long> VerifyMismatches = Meter.CreateCounter<long>(
        "cpe.verify.mismatches", unit: "{parameter}", description: "Parameters that read back differently from what was pushed");

    public static readonly Counter<long> ContactsRefused = Meter.CreateCounter<long>(
        "cpe.device.contacts_refused", unit: "{contact}", description: "Device contacts refused (also those only counted), by reason and protocol");

    public static readonly Counter<long> DeviceCredential = Meter.CreateCounter<long>(
        "cpe.device.credential", unit: "{device}", description: "CWMP credential life-cycle transitions, by state (pending, adopted, not_adopted) and protocol");

    public static readonly Counter<long> FactoryResets = Meter.CreateCounter<long>(
        "cpe.device.factory_resets", unit: "{device}", description: "Provisioned devices that came back with factory settings, by protocol and action (reprovision, refuse)");

    public static readonly Histogram<long> CommitGroupSize = Meter.CreateHistogram<long>(
        "cpe.workflow.commit_group_size", unit: "{append}", description: "Workflow appends committed in one transaction (group commit), by whether the group committed");

    public static readonly Counter<long> FirmwareImageRequests = Meter.CreateCounter<long>(
        "cpe.firmware.image_requests", unit: "{request}", description: "Requests to the firmware image server, by outcome (served, refused)");

    // Span and attribute names shared with the seed's dashboards.
    public const string ProvisionSpan = "cpe.provision";
    public static string StepSpan(string step) => $"cpe.provision.{step}";
}
