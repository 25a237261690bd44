using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Provisioning.Southbound.Usp.Telemetry;

/// <summary>The controller's ActivitySource and instruments, created once. No device identifiers on metric tags.</summary>
public static class UspTelemetry
{
    public const string Name = "Provisioning.Southbound.Usp";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly UpDownCounter<long> AgentsConnected =
        Meter.CreateUpDownCounter<long>("usp.agents.connected", "{agent}", "USP agents with an open MTP connection");
    public static readonly Counter<long> Messages =
        Meter.CreateCounter<long>("usp.messages", "{message}", "USP messages sent and received, by type");
    public static readonly Counter<long> Errors =
        Meter.CreateCounter<long>("usp.errors", "{error}", "USP errors received from agents, by code");
    public static readonly Counter<long> RecordsIgnored =
        Meter.CreateCounter<long>("usp.records.ignored", "{record}", "USP records ignored (wrong to_id, unsupported, duplicates)");

    public static readonly Counter<long> ContactsRefused =
        Meter.CreateCounter<long>("usp.contacts.refused", "{contact}", "USP agent connections refused (unknown, not authenticated, wrong secret, foreign certificate, impostor), by reason");
    public static readonly Counter<long> RefusalReports =
        Meter.CreateCounter<long>("usp.contacts.refusal_reports", "{report}", "ReportRefusedContact calls, by outcome (sent, deduplicated, dropped, failed)");

    public static readonly Counter<long> FirmwareUpgrades =
        Meter.CreateCounter<long>("usp.firmware.upgrades", "{upgrade}", "Firmware upgrades (Download() then Activate()), by outcome (upgraded, version_unchanged, download_failed, failed) and USP fault code");
    public static readonly Histogram<double> FirmwareUpgradeDuration =
        Meter.CreateHistogram<double>("usp.firmware.upgrade.duration", "s", "Firmware upgrades from the Download() to the version read back after the reboot, by outcome");

    public const string AttrEndpointId = "usp.endpoint_id";
    public const string AttrCommandKey = "usp.command_key";
    public const string AttrFirmwareImage = "usp.firmware.image";
    public const string AttrVersionBefore = "usp.firmware.version_before";
    public const string AttrVersionAfter = "usp.firmware.version_after";
    public const string AttrMsgId = "usp.msg_id";
    public const string AttrErrorCode = "usp.error_code";
    public const string AttrMtp = "usp.mtp";

    public static void CountMessage(string type, string direction) =>
        Messages.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("direction", direction));

    public static void CountError(uint code) =>
        Errors.Add(1, new KeyValuePair<string, object?>("code", (long)code));

    public static void CountFirmwareUpgrade(string outcome, uint faultCode, TimeSpan duration)
    {
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        FirmwareUpgrades.Add(1, outcomeTag, new KeyValuePair<string, object?>("code", (long)faultCode));
        FirmwareUpgradeDuration.Record(duration.TotalSeconds, outcomeTag);
    }

    public static void CountIgnored(string reason) =>
        RecordsIgnored.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void CountRefused(Contracts.Southbound.RefusalReason reason, string mtp) =>
        ContactsRefused.Add(1, new KeyValuePair<string, object?>("reason", Contracts.Southbound.RefusalReasonNames.Name(reason)), new KeyValuePair<string, object?>("mtp", mtp));

    public static void CountRefusalReport(string outcome) =>
        RefusalReports.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public static void AgentConnected(string mtp, int delta) =>
        AgentsConnected.Add(delta, new KeyValuePair<string, object?>("mtp", mtp));
}
