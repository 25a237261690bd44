using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Reports;

/// <summary>
/// How many workflows failed in one hour with one combination of step, result, fault code, model, firmware
/// and plan. The id encodes all of them, so a report over a time range is a sum over documents.
/// </summary>
public sealed class FailureStatistic
{
    public string Id { get; set; } = "";
    public DateTimeOffset Hour { get; set; }
    public WorkflowStep? Step { get; set; }
    public WorkflowResult Result { get; set; }
    public uint FaultCode { get; set; }
    public string Model { get; set; } = "";
    public string FirmwareVersion { get; set; } = "";
    public string ServicePlan { get; set; } = "";
    /// <summary>The distinct per-parameter fault codes of the failure, sorted ("7010,7013"; empty when there were none).</summary>
    public string ParameterFaultCodes { get; set; } = "";
    public long Count { get; set; }

    public static DateTimeOffset HourOf(DateTimeOffset time) =>
        new(time.UtcDateTime.Year, time.UtcDateTime.Month, time.UtcDateTime.Day, time.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);

    public static string KeyOf(DateTimeOffset time, WorkflowStep? step, WorkflowResult result, uint faultCode, string? model, string? firmware, string? plan,
        string parameterFaultCodes = "") =>
        string.Join('|', HourOf(time).ToString("yyyyMMddHH"), step?.ToString() ?? "-", result, faultCode, model ?? "", firmware ?? "", plan ?? "")
        + (parameterFaultCodes.Length > 0 ? "|" + parameterFaultCodes : "");

    /// <summary>"7010,7013": the distinct per-parameter codes of a failure, the same for the same set whatever their order.</summary>
    public static string CodesOf(IEnumerable<Workflows.Events.ParameterFaultRecord>? faults) =>
        faults is null ? "" : string.Join(',', faults.Select(f => f.FaultCode).Where(c => c != 0).Distinct().Order());
}
