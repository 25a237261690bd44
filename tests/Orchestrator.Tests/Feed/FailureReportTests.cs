using Marten.Events;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Tests.Southbound;
using Marten;

namespace Provisioning.Orchestrator.Tests.Feed;

/// <summary>
/// A conformant USP agent refuses every bad push with 7004 and a CWMP CPE with 9003: the report must tell the
/// per-parameter reasons apart, or every push failure looks the same.
/// </summary>
[Collection(nameof(OrchestratorCollection))]
public sealed class FailureReportTests(OrchestratorFixture fixture)
{
    private static StepFailure Refused(params uint[] parameterCodes)
    {
        var failure = new StepFailure { Kind = FailureKind.DeviceFault, FaultCode = 7004, FaultString = "invalid arguments" };
        foreach (var code in parameterCodes)
            failure.ParameterFaults.Add(new ParameterFault { Name = $"Device.WiFi.SSID.{code % 10}.SSID", FaultCode = code, FaultString = "refused" });
        return failure;
    }

    [Fact]
    public async Task Push_failures_under_one_outer_code_are_grouped_by_their_per_parameter_codes()
    {
        var model = "PerParam-" + Guid.NewGuid().ToString("N")[..6];
        var scripts = new[] { Refused(7013), Refused(7013), Refused(7010, 7013), Refused(7013, 7010) };
        foreach (var script in scripts)
        {
            var serial = await fixture.RegisterAsync(new DeviceScript { Model = model, PushFailure = script });
            await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(serial)).Workflow.WorkflowId);
        }
        await fixture.System.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        var report = await fixture.System.Provisioning.GetFailureReportAsync(new GetFailureReportRequest());
        var rows = report.Rows.Where(r => r.Model == model).ToList();

        Assert.All(rows, r => Assert.Equal(7004u, r.FaultCode));
        Assert.Equal(2, rows.Count);
        Assert.Equal(2, Assert.Single(rows, r => r.ParameterFaultCodes.SequenceEqual([7013u])).Count);
        Assert.Equal(2, Assert.Single(rows, r => r.ParameterFaultCodes.SequenceEqual([7010u, 7013u])).Count);
    }
}
