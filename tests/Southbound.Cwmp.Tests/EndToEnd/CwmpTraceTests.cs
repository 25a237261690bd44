using System.Collections.Concurrent;
using System.Diagnostics;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Southbound.Cwmp.Tests.EndToEnd;

/// <summary>One trace from the CPE's Inform through the orchestrator's workflow to the RPC exchanges it causes.</summary>
[Collection(nameof(CwmpSystemCollection))]
public sealed class CwmpTraceTests(CwmpSystemFixture fixture) : IDisposable
{
    private readonly ConcurrentBag<Activity> stopped = [];
    private readonly ActivityListener listener = new()
    {
        ShouldListenTo = s => s.Name.StartsWith("Provisioning.", StringComparison.Ordinal),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public void Dispose() => listener.Dispose();

    [Fact]
    public async Task A_zero_touch_workflow_is_traced_from_the_inform_to_each_rpc_exchange()
    {
        listener.ActivityStopped = stopped.Add;
        ActivitySource.AddActivityListener(listener);
        var serial = fixture.NewSerial("TR");
        await fixture.RegisterAsync(serial);
        var cpe = fixture.AddDevice(serial);

        await cpe.BootstrapAsync();
        var workflow = await fixture.System.WaitForDeviceWorkflowAsync(serial, w => w.State != WorkflowState.Running, TimeSpan.FromSeconds(30));

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        var inform = stopped.First(a => a.OperationName == "cpe.inform" && Equals(a.GetTagItem("cpe.serial_number"), serial));
        Assert.Equal(inform.TraceId.ToHexString(), workflow.TraceId);
        var exchanges = stopped.Where(a => a.OperationName.StartsWith("cwmp.", StringComparison.Ordinal) && Equals(a.GetTagItem("cpe.serial_number"), serial)).ToList();
        Assert.Contains(exchanges, a => a.OperationName == "cwmp.SetParameterValues");
        Assert.Contains(exchanges, a => a.OperationName == "cwmp.GetParameterValues");
        Assert.All(exchanges, a => Assert.Equal(inform.TraceId, a.TraceId));
        // One attribute name for the workflow id in every host's spans, so one filter finds the ACS's spans too.
        Assert.Equal(workflow.WorkflowId, inform.GetTagItem("cpe.workflow_id"));
        Assert.All(exchanges, a => Assert.Equal(workflow.WorkflowId, a.GetTagItem("cpe.workflow_id")));
        Assert.DoesNotContain(stopped, a => a.GetTagItem("workflow.id") is not null);
    }
}
