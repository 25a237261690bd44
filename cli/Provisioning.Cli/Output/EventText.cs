using System.Globalization;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Output;

/// <summary>One human-readable line per provisioning event (watch, provision --wait, demo).</summary>
public static class EventText
{
    public static string Line(ProvisioningEvent e)
    {
        var time = e.OccurredAt?.ToDateTimeOffset().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "--:--:--.---";
        var step = e.Step == WorkflowStep.Unspecified ? "" : $" [{ProtoNames.Short(e.Step)}]";
        var detail = Detail(e);
        return Printable($"{time}  #{e.GlobalPosition}  {e.SerialNumber}  {e.WorkflowId}  {e.EventType}{step}{(detail.Length > 0 ? "  " + detail : "")}");
    }

    /// <summary>
    /// Models, firmware versions and fault strings come from devices: keep their control characters (escape
    /// sequences, newlines) off the operator's terminal, one event per line.
    /// </summary>
    /// <summary>A table cell from a value that may come from a device: printable and markup-escaped.</summary>
    public static string Cell(string text) => Spectre.Console.Markup.Escape(Printable(text));

    public static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)) : text;

    /// <summary>The line as Spectre markup: failures red, successes green.</summary>
    public static string Markup(ProvisioningEvent e)
    {
        var line = Spectre.Console.Markup.Escape(Line(e));
        return e.PayloadCase switch
        {
            ProvisioningEvent.PayloadOneofCase.ProvisioningFailed => $"[red]{line}[/]",
            ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded => $"[green]{line}[/]",
            ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled => $"[yellow]{line}[/]",
            _ => line,
        };
    }

    public static string Detail(ProvisioningEvent e) => e.PayloadCase switch
    {
        ProvisioningEvent.PayloadOneofCase.ProvisioningRequested =>
            Join(e.ProvisioningRequested.Kind is WorkflowKind.Unspecified or WorkflowKind.Provision ? "" : $"kind={ProtoNames.Short(e.ProvisioningRequested.Kind)}",
                $"trigger={ProtoNames.Short(e.ProvisioningRequested.Trigger)}",
                e.ProvisioningRequested.ParameterNames.Count > 0 ? $"names={string.Join(',', e.ProvisioningRequested.ParameterNames)}" : "",
                e.ProvisioningRequested.Parameters.Count > 0 ? $"set={Values(e.ProvisioningRequested.Parameters)}" : "",
                e.ProvisioningRequested.EventCodes.Count > 0 ? $"events={string.Join(',', e.ProvisioningRequested.EventCodes)}" : "",
                e.ProvisioningRequested.ServicePlanOverride is { Length: > 0 } plan ? $"plan={plan}" : "",
                e.ProvisioningRequested.FirmwareVersion is { Length: > 0 } firmware ? $"firmware={firmware} url={e.ProvisioningRequested.FirmwareUrl}" : ""),
        ProvisioningEvent.PayloadOneofCase.DeviceAuthenticated =>
            Join($"model={e.DeviceAuthenticated.Model}", $"firmware={e.DeviceAuthenticated.FirmwareVersion}",
                $"root={e.DeviceAuthenticated.DataModelRoot}", $"via={e.DeviceAuthenticated.ReachedVia}"),
        ProvisioningEvent.PayloadOneofCase.ServiceProfileFetched =>
            Join($"plan={e.ServiceProfileFetched.ServicePlan}", $"parameters={e.ServiceProfileFetched.ParameterCount}",
                $"firmware_target={e.ServiceProfileFetched.FirmwareTarget}"),
        ProvisioningEvent.PayloadOneofCase.ConfigPushed =>
            Join($"parameters={e.ConfigPushed.ParameterCount}", $"key={e.ConfigPushed.ParameterKey}",
                e.ConfigPushed.ApplyStatus == 1 ? "applied_after_reboot" : "",
                e.ConfigPushed.CreatedInstances.Count == 0 ? "" : "created=" + string.Join(',', e.ConfigPushed.CreatedInstances.Select(i => $"{i.Requested}->{i.Actual}"))),
        ProvisioningEvent.PayloadOneofCase.ConfigVerified => $"parameters={e.ConfigVerified.ParameterCount}",
        ProvisioningEvent.PayloadOneofCase.RebootAccepted => $"command_key={e.RebootAccepted.CommandKey}",
        ProvisioningEvent.PayloadOneofCase.FactoryResetAccepted => "factory reset accepted",
        ProvisioningEvent.PayloadOneofCase.FirmwareUpgraded =>
            Join($"from={e.FirmwareUpgraded.FromVersion}", $"to={e.FirmwareUpgraded.ToVersion}", $"command_key={e.FirmwareUpgraded.CommandKey}",
                $"started={e.FirmwareUpgraded.StartTime}", $"completed={e.FirmwareUpgraded.CompleteTime}"),
        ProvisioningEvent.PayloadOneofCase.FirmwareCurrent => $"firmware={e.FirmwareCurrent.Version} already installed",
        ProvisioningEvent.PayloadOneofCase.ParametersRead => $"values={Values(e.ParametersRead.Values)}",
        ProvisioningEvent.PayloadOneofCase.ParametersWritten =>
            Join($"parameter_key={e.ParametersWritten.ParameterKey}", $"apply_status={e.ParametersWritten.ApplyStatus}", $"written={Values(e.ParametersWritten.Parameters)}"),
        ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded => $"result=success duration={e.ProvisioningSucceeded.DurationMs}ms",
        ProvisioningEvent.PayloadOneofCase.ProvisioningFailed => Failure(e.ProvisioningFailed),
        ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled =>
            Join("result=cancelled", $"reason={e.ProvisioningCancelled.Reason}", $"by={e.ProvisioningCancelled.CancelledBy}"),
        ProvisioningEvent.PayloadOneofCase.WorkflowResumed =>
            Join($"step={ProtoNames.Short(e.WorkflowResumed.Step)}", $"instance={e.WorkflowResumed.Instance}"),
        _ => "",
    };

    private static string Failure(ProvisioningFailed failed) => Join(
        $"result={ProtoNames.Short(failed.Result)}",
        failed.Step == WorkflowStep.Unspecified ? "" : $"step={ProtoNames.Short(failed.Step)}",
        failed.FaultCode == 0 ? "" : $"fault={failed.FaultCode}",
        failed.Reason is { Length: > 0 } reason ? $"reason=\"{reason}\"" : "",
        failed.ParameterFaults.Count == 0 ? "" : "parameter_faults=" + string.Join(',', failed.ParameterFaults.Select(f => $"{f.Name}:{f.FaultCode}")),
        failed.Mismatches.Count == 0 ? "" : "mismatches=" + string.Join(',', failed.Mismatches.Select(m => m.Name)));

    /// <summary>name=value pairs as the events hold them (secrets already redacted by the orchestrator).</summary>
    private static string Values(IEnumerable<Contracts.Common.ParameterValue> values) => string.Join(',', values.Select(v => $"{v.Name}={v.Value}"));

    private static string Join(params string[] parts) => string.Join(' ', parts.Where(p => p.Length > 0 && !p.EndsWith('=')));
}
