using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Provisioning.Southbound.Cwmp.Telemetry;

/// <summary>
/// The adapter's ActivitySource and Meter, created once. Device identifiers go on spans only, never on
/// metric tags (a fleet of millions would explode the series count).
/// </summary>
public static class CwmpTelemetry
{
    public const string Name = "Provisioning.Southbound.Cwmp";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Informs =
        Meter.CreateCounter<long>("cwmp.informs", "{inform}", "Informs received, one sample per event code");
    public static readonly UpDownCounter<long> OpenSessions =
        Meter.CreateUpDownCounter<long>("cwmp.sessions.open", "{session}", "CWMP sessions currently open");
    public static readonly Histogram<double> RpcDuration =
        Meter.CreateHistogram<double>("cwmp.rpc.duration", "ms", "ACS to CPE RPC time from queueing to the CPE's answer");
    public static readonly Counter<long> Faults =
        Meter.CreateCounter<long>("cwmp.faults", "{fault}", "CWMP faults by code (CPE 9xxx, ACS 8xxx)");
    public static readonly Counter<long> AuthFailures =
        Meter.CreateCounter<long>("cwmp.auth.failures", "{attempt}", "CPE HTTP authentication failures");
    public static readonly Counter<long> ConnectionRequests =
        Meter.CreateCounter<long>("cwmp.connection_requests", "{request}", "Connection Requests sent, by outcome");

    public static readonly Counter<long> Transfers =
        Meter.CreateCounter<long>("cwmp.transfers", "{transfer}", "Transfer outcomes reported by CPEs (TransferComplete), by fault code (0: success) and whether a call awaited it");
    public static readonly Histogram<double> TransferDuration =
        Meter.CreateHistogram<double>("cwmp.transfer.duration", "s", "From the Download the CPE accepted to its TransferComplete (transfer, flash and reboot)");

    // Span attributes of a firmware transfer, on the southbound call's span and on the TransferComplete's.
    public const string CommandKey = "cpe.command_key";
    public const string TransferFaultCode = "cpe.transfer.fault_code";
    public const string FirmwareVersionAfter = "cpe.firmware_version_after";

    public static void RecordTransfer(uint faultCode, bool awaited) =>
        Transfers.Add(1, new KeyValuePair<string, object?>("cwmp.fault_code", (long)faultCode), new KeyValuePair<string, object?>("cwmp.awaited", awaited));

    public static void RecordInformEvents(IEnumerable<string> eventCodes)
    {
        foreach (var code in eventCodes)
            // Vendor events ("X 00D09E Foo") carry an OUI: fold them into one tag value.
            Informs.Add(1, new KeyValuePair<string, object?>("cwmp.event_code", code.StartsWith("X ", StringComparison.Ordinal) ? "X" : code));
    }

    public static void RecordFault(uint code, string method) =>
        Faults.Add(1, new KeyValuePair<string, object?>("cwmp.fault_code", (long)code), new KeyValuePair<string, object?>("cwmp.method", method));
}
