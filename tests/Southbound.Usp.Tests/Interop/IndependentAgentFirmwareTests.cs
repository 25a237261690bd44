using System.Text;
using Provisioning.Southbound.Usp.Tests.Simulator;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// The independent agent (tests/Interop/usp_agent.py) runs Download(), Activate() and FactoryReset() the way the
/// simulator does, against the scripted controller and a real file server.
/// </summary>
public sealed class IndependentAgentFirmwareTests
{
    private const string Bank2 = "Device.DeviceInfo.FirmwareImage.2.";

    private static async Task<IndependentAgentProcess> StartAsync(ScriptedController controller, params string[] variant)
    {
        var agent = IndependentAgentProcess.Start(controller.WebSocketUrl, ScriptedController.EndpointId, "os::A1B2C3-PYFW", "PYFW", ["--greeting", "boot", .. variant]);
        await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!", 30);
        return agent;
    }

    [Fact]
    public async Task Download_is_fetched_and_activate_reboots_into_the_new_version()
    {
        await using var controller = new ScriptedController();
        controller.Files["image.bin"] = Encoding.ASCII.GetBytes("CPE-FIRMWARE 8.0\nrest-of-image");
        await using var agent = await StartAsync(controller);

        var answer = await controller.OperateAsync(Bank2 + "Download()", "py-8", new Dictionary<string, string> { ["URL"] = controller.BaseUrl + "/fw/image.bin" });
        Assert.StartsWith("Device.LocalAgent.Request.", Assert.Single(answer.Body.Response.OperateResp.OperationResults).ReqObjPath);
        var done = (await controller.NextNotifyAsync(n => n.OperComplete is not null)).Body.Request.Notify.OperComplete;
        Assert.Equal(("Download()", "py-8"), (done.CommandName, done.CommandKey));
        Assert.NotNull(done.ReqOutputArgs);

        await controller.OperateAsync(Bank2 + "Activate()", "act-8");
        var boot = (await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!")).Body.Request.Notify.Event;
        Assert.Equal(("RemoteReboot", "true", "act-8"), (boot.Params["Cause"], boot.Params["FirmwareUpdated"], boot.Params["CommandKey"]));
        Assert.Contains("\"8.0\"", boot.Params["ParameterMap"]);
        Assert.Equal("Activate()", (await controller.NextNotifyAsync(n => n.OperComplete is not null)).Body.Request.Notify.OperComplete.CommandName);
    }

    [Fact]
    public async Task A_missing_file_is_a_cmd_failure_and_factory_reset_comes_back_with_remote_factory_reset()
    {
        await using var controller = new ScriptedController();
        await using var agent = await StartAsync(controller);

        await controller.OperateAsync(Bank2 + "Download()", "gone", new Dictionary<string, string> { ["URL"] = controller.BaseUrl + "/fw/missing.bin" });
        var failed = (await controller.NextNotifyAsync(n => n.OperComplete is not null)).Body.Request.Notify.OperComplete;
        Assert.Equal(7022u, failed.CmdFailure.ErrCode);

        await controller.OperateAsync("Device.FactoryReset()", "fr-py");
        var boot = (await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!")).Body.Request.Notify.Event;
        Assert.Equal(("RemoteFactoryReset", "fr-py"), (boot.Params["Cause"], boot.Params["CommandKey"]));
    }
}
