using Provisioning.Contracts.Southbound;
using Provisioning.Simulators.Cwmp;
using Provisioning.Southbound.Cwmp.Tests.Support;
using Xunit.Abstractions;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>Many CPEs at once against one ACS: every session completes, none is lost or crossed.</summary>
[Collection(nameof(InformStormCollection))]
public sealed class InformStormTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(CpeAuthScheme.Basic)]
    [InlineData(CpeAuthScheme.Digest)]
    public async Task A_thousand_devices_bootstrapping_at_once_all_complete(CpeAuthScheme scheme)
    {
        // Basic on plain HTTP only where allowed (the default allows it over TLS only).
        await using var h = await AcsHarness.StartAsync(new Dictionary<string, string?> { ["Cwmp:Auth:AllowBasicOverHttp"] = "true" });
        for (var i = 0; i < 1000; i++) h.AddDevice($"STORM{i:D5}", configure: o => o with { AuthScheme = scheme });

        var summary = await h.Fleet.BootstrapAllAsync(concurrency: 200);

        output.WriteLine(summary.ToString());
        Assert.Equal(1000, summary.Succeeded);
        Assert.Equal(1000, h.Orchestrator.Reports.Select(r => r.Identity.Device.SerialNumber).Distinct().Count());
    }

    [Fact]
    public async Task Held_sessions_of_many_devices_each_get_their_own_rpcs()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Decide = r => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-" + r.Identity.Device.SerialNumber };
        var devices = Enumerable.Range(0, 100).Select(i => h.AddDevice($"HOLD{i:D3}")).ToList();

        var sessions = devices.Select(d => d.BootstrapAsync()).ToList();
        await Task.WhenAll(devices.Select(async d =>
        {
            await h.Orchestrator.WaitForReportAsync(r => r.Identity.Device.SerialNumber == d.SerialNumber);
            var push = new PushConfigRequest { Device = AcsHarness.Ref(d.SerialNumber), ParameterKey = "key-" + d.SerialNumber };
            push.Parameters.Add(new Provisioning.Contracts.Common.ParameterValue { Name = "Device.WiFi.SSID.1.SSID", Value = "ssid-" + d.SerialNumber });
            var pushed = await h.Client.PushConfigAsync(push, deadline: AcsHarness.Deadline(20));
            Assert.Null(pushed.Failure);
            await h.Client.ReleaseAsync(new ReleaseRequest { Device = AcsHarness.Ref(d.SerialNumber) });
        }));
        var results = await Task.WhenAll(sessions);

        Assert.All(results, r => Assert.True(r.Succeeded, r.ToString()));
        Assert.All(devices, d => Assert.Equal("ssid-" + d.SerialNumber, d.GetValue("Device.WiFi.SSID.1.SSID")));
        Assert.All(devices, d => Assert.Equal("key-" + d.SerialNumber, d.ParameterKey));
    }
}

/// <summary>The storms run alone, so they neither starve nor are starved by the timing-sensitive tests.</summary>
[CollectionDefinition(nameof(InformStormCollection), DisableParallelization = true)]
public sealed class InformStormCollection;
