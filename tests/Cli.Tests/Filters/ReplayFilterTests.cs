using Provisioning.Cli.Events;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Tests.Filters;

public sealed class ReplayFilterTests
{
    private static List<long> Kept(ReplayCriteria criteria)
    {
        var filter = new ReplayFilter(criteria);
        return SampleEvents.TwoWorkflows().Where(filter.Accept).Select(e => e.GlobalPosition).ToList();
    }

    [Fact]
    public void No_criteria_keeps_everything()
    {
        Assert.Equal(Enumerable.Range(1, 13).Select(i => (long)i), Kept(new ReplayCriteria()));
    }

    [Fact]
    public void Model_filter_keeps_the_workflow_from_its_authentication_on()
    {
        Assert.Equal([3, 5, 7, 9, 10], Kept(new ReplayCriteria { Model = "hg8245" }));
    }

    [Fact]
    public void Plan_and_firmware_filters_use_what_the_stream_revealed()
    {
        Assert.Equal([6, 8], Kept(new ReplayCriteria { Plan = "silver, basic" }));
        Assert.Equal([4, 6, 8], Kept(new ReplayCriteria { Firmware = "1.0,beta \"rc\"" }));
    }

    [Fact]
    public void Result_filter_keeps_the_final_event_of_matching_workflows()
    {
        Assert.Equal([8], Kept(new ReplayCriteria { Result = WorkflowResult.ConfigPushFailed }));
        Assert.Equal([10], Kept(new ReplayCriteria { Result = WorkflowResult.Success }));
        Assert.Equal([11], Kept(new ReplayCriteria { Result = WorkflowResult.Cancelled }));
    }

    [Fact]
    public void Fault_code_matches_the_failure_and_its_parameter_faults()
    {
        Assert.Equal([8], Kept(new ReplayCriteria { FaultCode = 9003 }));
        Assert.Equal([8], Kept(new ReplayCriteria { FaultCode = 9007 }));
        Assert.Empty(Kept(new ReplayCriteria { FaultCode = 9001 }));
    }

    [Fact]
    public void Step_filter_is_per_event()
    {
        Assert.Equal([7, 8, 12], Kept(new ReplayCriteria { Step = WorkflowStep.PushConfig }));
    }

    [Fact]
    public void Time_range_is_inclusive_and_drops_events_without_time()
    {
        var start = new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);
        Assert.Equal([3, 4, 5], Kept(new ReplayCriteria { Since = start.AddSeconds(2), Until = start.AddSeconds(4.5) }));
    }

    [Fact]
    public void Criteria_combine()
    {
        Assert.Equal([8], Kept(new ReplayCriteria { Model = "F@ST 5670", Step = WorkflowStep.PushConfig }));
        Assert.Empty(Kept(new ReplayCriteria { Model = "HG8245", Result = WorkflowResult.ConfigPushFailed }));
    }

    [Fact]
    public void Finished_workflows_are_no_longer_tracked()
    {
        var filter = new ReplayFilter(new ReplayCriteria { Model = "HG8245" });
        foreach (var e in SampleEvents.TwoWorkflows()) filter.Accept(e);
        // wf-resume and wf-x never finished in the sample; the three finished ones are forgotten.
        Assert.Equal(2, filter.TrackedWorkflows);
    }
}
