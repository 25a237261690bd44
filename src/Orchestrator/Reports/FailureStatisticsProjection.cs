using JasperFx.Events;
using Marten.Events.Projections;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Reports;

/// <summary>Counts failed workflows by hour and by step, result, fault code, model, firmware and plan (async daemon).</summary>
public partial class FailureStatisticsProjection : MultiStreamProjection<FailureStatistic, string>
{
    public FailureStatisticsProjection()
    {
        Identity<IEvent<ProvisioningFailed>>(e => FailureStatistic.KeyOf(
            e.Timestamp, e.Data.Step, e.Data.Result, e.Data.FaultCode, e.Data.Model, e.Data.FirmwareVersion, e.Data.ServicePlan));
    }

    public void Apply(FailureStatistic statistic, IEvent<ProvisioningFailed> e)
    {
        statistic.Id = FailureStatistic.KeyOf(e.Timestamp, e.Data.Step, e.Data.Result, e.Data.FaultCode, e.Data.Model, e.Data.FirmwareVersion, e.Data.ServicePlan);
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
