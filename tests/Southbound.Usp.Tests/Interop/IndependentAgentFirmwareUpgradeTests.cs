using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Tests.Infrastructure;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// The controller's DownloadFirmware against tests/Interop/usp_agent.py (two FirmwareImage banks, Download()/Activate()
/// written from TR-181 alone) over a real WebSocket and a real file server: the agent reboots into the image,
/// reconnects, and its Boot!'s ParameterMap carries the version. The agent exits non-zero on any protocol breach.
/// </summary>
public sealed class IndependentAgentFirmwareUpgradeTests : IAsyncLifetime
{
    private const string Bank2 = "Device.DeviceInfo.FirmwareImage.2.";
    private const string Secret = "py-agent-secret";
    private UspTestHost _host = null!;
    private FirmwareFileServer _files = null!;

    public async Task InitializeAsync()
    {
        _host = await UspTestHost.StartAsync();
        _files = await FirmwareFileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _files.DisposeAsync();
    }

    /// <summary>With its own secret, so its connection after the reboot displaces the one going down at once.</summary>
    private async Task<(IndependentAgentProcess Agent, string EndpointId)> StartAsync(string serial, params string[] flags)
    {
        var endpointId = "os::00D09E-" + serial;
        _host.Orchestrator.RegisterWithSecret(endpointId, Secret);
        var agent = IndependentAgentProcess.Start(_host.WebSocketUrl, UspTestHost.ControllerId, endpointId, serial, ["--secret", Secret, "--greeting", "connect", .. flags]);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.ReportsOf(endpointId).Count > 0, "first contact of the independent agent", TimeSpan.FromSeconds(20));
        return (agent, endpointId);
    }

    private DownloadFirmwareRequest Upgrade(string endpointId, string commandKey, string file)
    {
        var image = _files.Files[file];
        return new DownloadFirmwareRequest
        {
            Device = new DeviceRef { EndpointId = endpointId, Protocol = DeviceProtocol.Usp },
            CommandKey = commandKey, Url = _files.UrlOf(file), FileSize = (ulong)image.Length, Sha256 = FirmwareFileServer.Sha256Of(image),
        };
    }

    [Fact]
    public async Task The_independent_agent_is_upgraded_and_its_Boot_names_the_new_version()
    {
        _files.Files["py-8.0.bin"] = FirmwareFileServer.Image("8.0");
        var (agent, endpointId) = await StartAsync("PYUP1");
        await using var _ = agent;

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(endpointId, "py-up-8", "py-8.0.bin"), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.True(response.Failure is null, response.ToString());
        Assert.Equal(("py-up-8", 0u), (response.Transfer.CommandKey, response.Transfer.FaultCode));
        Assert.Equal("8.0", response.FirmwareVersionAfter);
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.EventCodesOf(endpointId).Contains("Boot!"), "the Boot! after the reboot");
        var report = await agent.StopAsync();
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Equal((Bank2, "8.0"), (report.DataModel["Device.DeviceInfo.ActiveFirmwareImage"], report.DataModel["Device.DeviceInfo.SoftwareVersion"]));
        Assert.Contains(report.DataModel, p => p.Key.EndsWith(".ReferenceList", StringComparison.Ordinal) && p.Value == "Device.DeviceInfo.FirmwareImage.");
    }

    [Fact]
    public async Task A_download_the_independent_agent_fails_is_its_usp_code_and_it_does_not_reboot()
    {
        _files.Files["py-9.bin"] = FirmwareFileServer.Image("9");
        var (agent, endpointId) = await StartAsync("PYUP2", "--download-error", "7022");
        await using var _ = agent;

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(endpointId, "py-fail", "py-9.bin"), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.True(response.Failure is null, response.ToString());
        Assert.Equal(("py-fail", 7022u), (response.Transfer.CommandKey, response.Transfer.FaultCode));
        Assert.NotEmpty(response.Transfer.FaultString);
        Assert.Equal("", response.FirmwareVersionAfter);
        await Task.Delay(500);
        var report = await agent.StopAsync();
        Assert.True(report.ExitCode == 0, report.ToString());
        // It greeted with a connect record: a Boot! would only come from a reboot.
        Assert.DoesNotContain("Boot!", _host.Orchestrator.EventCodesOf(endpointId));
        Assert.Equal(("Device.DeviceInfo.FirmwareImage.1.", "4.2.1"), (report.DataModel["Device.DeviceInfo.ActiveFirmwareImage"], report.DataModel["Device.DeviceInfo.SoftwareVersion"]));
    }

    [Fact]
    public async Task The_independent_agent_back_on_its_old_version_is_reported_with_it()
    {
        _files.Files["py-10.bin"] = FirmwareFileServer.Image("10.0");
        var (agent, endpointId) = await StartAsync("PYUP3", "--keep-old-firmware");
        await using var _ = agent;

        var response = await _host.Adapter.DownloadFirmwareAsync(Upgrade(endpointId, "py-old", "py-10.bin"), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.True(response.Failure is null, response.ToString());
        Assert.Equal(0u, response.Transfer.FaultCode);
        Assert.Equal("4.2.1", response.FirmwareVersionAfter);
        // It did reboot (the contact is reported on its own, maybe after the answer).
        await UspTestHost.EventuallyAsync(() => _host.Orchestrator.EventCodesOf(endpointId).Contains("Boot!"), "the Boot! after the reboot");
        var report = await agent.StopAsync();
        Assert.True(report.ExitCode == 0, report.ToString());
    }
}
