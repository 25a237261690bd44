using JasperFx.Events;
using Marten.Events.Projections;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Reports;

/// <summary>Counts failed workflows by hour and by step, result, fault code, per-parameter codes, model, firmware and plan (async daemon).</summary>
public partial class FailureStatisticsProjection : MultiStreamProjection<FailureStatistic, string>
{
    public FailureStatisticsProjection()
    {
        Identity<IEvent<ProvisioningFailed>>(e => FailureStatistic.KeyOf(
            e.Timestamp, e.Data.Step, e.Data.Result, e.Data.FaultCode, e.Data.Model, e.Data.FirmwareVersion, e.Data.ServicePlan,
            FailureStatistic.CodesOf(e.Data.ParameterFaults)));
    }

    public void Apply(FailureStatistic statistic, IEvent<ProvisioningFailed> e)
    {
        var codes = FailureStatistic.CodesOf(e.Data.ParameterFaults);
        statistic.Id = FailureStatistic.KeyOf(e.Timestamp, e.Data.Step, e.Data.Result, e.Data.FaultCode, e.Data.Model, e.Data.FirmwareVersion, e.Data.ServicePlan, codes);
        statistic.ParameterFaultCodes = codes;
        statistic.Hour = FailureStatistic.HourOf(e.Timestamp);
        statistic.Step = e.Data.Step;
        statistic.Result = e.Data.Result;
        statistic.FaultCode = e.Data.FaultCode;
        statistic.Model = e.Data.Model ?? "";
        statistic.FirmwareVersion = e.Data.FirmwareVersion ?? "";
        statistic.ServicePlan = e.Data.ServicePlan ?? "";
        statistic.Count++;
    }
}
