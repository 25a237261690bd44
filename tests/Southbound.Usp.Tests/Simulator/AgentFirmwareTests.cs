using System.Security.Cryptography;
using System.Text;
using Provisioning.Simulators.Usp.Agents;
using Provisioning.Simulators.Usp.DataModel;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Tests.Simulator;

/// <summary>
/// The simulated agent's firmware commands, factory reset and reboot against a scripted controller and a real file
/// server (no orchestrator): Download() fetches for real and reports OperationComplete on the controller's subscription,
/// Activate() reboots into the image, failures come back as cmd_failure.
/// </summary>
public sealed class AgentFirmwareTests
{
    private const string Bank2 = "Device.DeviceInfo.FirmwareImage.2.";

    private static byte[] Image(string version) => Encoding.ASCII.GetBytes($"CPE-FIRMWARE {version}\n").Concat(new byte[1000]).ToArray();

    private static async Task<SimulatedUspAgent> StartAgentAsync(ScriptedController controller, Action<SimulatedUspAgent>? prepare = null)
    {
        var agent = new SimulatedUspAgent(new UspAgentOptions
        {
            Identity = new AgentIdentity("FW" + Guid.NewGuid().ToString("N")[..8]),
            ControllerEndpointId = ScriptedController.EndpointId,
            WebSocketUrl = controller.WebSocketUrl,
            SendOnBoardRequest = false,
            AsyncCommandDuration = TimeSpan.FromMilliseconds(10),
            RebootDuration = TimeSpan.FromMilliseconds(50),
        });
        // What the controller creates at first contact: the Boot! subscription, and one for OperationComplete.
        agent.DataModel.Create("Device.LocalAgent.Subscription.", [new("Enable", "true"), new("ID", "boot"), new("NotifType", "Event"), new("ReferenceList", "Device.Boot!"), new("Recipient", "Device.LocalAgent.Controller.1")]);
        agent.DataModel.Create("Device.LocalAgent.Subscription.", [new("Enable", "true"), new("ID", "ops"), new("NotifType", "OperationComplete"), new("ReferenceList", "Device.DeviceInfo.FirmwareImage."), new("Recipient", "Device.LocalAgent.Controller.1")]);
        prepare?.Invoke(agent);
        agent.Start();
        await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!"); // its first boot
        return agent;
    }

    private static async Task<Notify.Types.OperationComplete> DownloadAsync(ScriptedController controller, string commandKey, Dictionary<string, string> args)
    {
        var answer = await controller.OperateAsync(Bank2 + "Download()", commandKey, args);
        var result = Assert.Single(answer.Body.Response.OperateResp.OperationResults);
        Assert.StartsWith("Device.LocalAgent.Request.", result.ReqObjPath);
        var done = await controller.NextNotifyAsync(n => n.OperComplete is not null);
        Assert.Equal("ops", done.Body.Request.Notify.SubscriptionId);
        Assert.Equal((Bank2, "Download()", commandKey), (done.Body.Request.Notify.OperComplete.ObjPath, done.Body.Request.Notify.OperComplete.CommandName, done.Body.Request.Notify.OperComplete.CommandKey));
        return done.Body.Request.Notify.OperComplete;
    }

    [Fact]
    public async Task Download_fetches_the_image_and_activate_reboots_into_its_version()
    {
        await using var controller = new ScriptedController();
        var image = Image("3.0.0");
        controller.Files["image.bin"] = image;
        await using var agent = await StartAgentAsync(controller);

        var done = await DownloadAsync(controller, "fw-3", new()
        {
            ["URL"] = controller.BaseUrl + "/fw/image.bin", ["FileSize"] = image.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CheckSumAlgorithm"] = "SHA-256", ["CheckSum"] = Convert.ToHexStringLower(SHA256.HashData(image)), ["AutoActivate"] = "false",
        });
        Assert.NotNull(done.ReqOutputArgs);
        Assert.Equal(("3.0.0", "Available"), (agent.DataModel[Bank2 + "Version"], agent.DataModel[Bank2 + "Status"]));
        Assert.Equal("2.4.1", agent.DataModel["Device.DeviceInfo.SoftwareVersion"]); // downloaded, not yet running

        var activate = await controller.OperateAsync(Bank2 + "Activate()", "act-3");
        Assert.StartsWith("Device.LocalAgent.Request.", Assert.Single(activate.Body.Response.OperateResp.OperationResults).ReqObjPath);
        var boot = (await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!")).Body.Request.Notify.Event;
        Assert.Equal(("RemoteReboot", "true", "act-3"), (boot.Params["Cause"], boot.Params["FirmwareUpdated"], boot.Params["CommandKey"]));
        var activated = await controller.NextNotifyAsync(n => n.OperComplete is not null);
        Assert.Equal("Activate()", activated.Body.Request.Notify.OperComplete.CommandName);
        Assert.Equal("3.0.0", agent.DataModel["Device.DeviceInfo.SoftwareVersion"]);
        Assert.Equal(Bank2, agent.DataModel["Device.DeviceInfo.ActiveFirmwareImage"]);
    }

    [Fact]
    public async Task Auto_activate_reboots_after_the_download_and_a_basic_protected_server_gets_the_credential()
    {
        await using var controller = new ScriptedController();
        controller.Files["locked.bin"] = Image("3.1");
        controller.Protected["locked.bin"] = "fw:s3cret";
        await using var agent = await StartAgentAsync(controller);

        var done = await DownloadAsync(controller, "fw-31", new() { ["URL"] = controller.BaseUrl + "/fw/locked.bin", ["Username"] = "fw", ["Password"] = "s3cret", ["AutoActivate"] = "true" });

        Assert.NotNull(done.ReqOutputArgs);
        var boot = (await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!")).Body.Request.Notify.Event;
        Assert.Equal(("RemoteReboot", "true"), (boot.Params["Cause"], boot.Params["FirmwareUpdated"]));
        Assert.Equal("3.1", agent.DataModel["Device.DeviceInfo.SoftwareVersion"]);
    }

    [Theory]
    [InlineData("/fw/missing.bin", "", "", "DownloadFailed")] // HTTP 404
    [InlineData("/fw/image.bin", "5", "", "ValidationFailed")] // FileSize differs
    [InlineData("/fw/image.bin", "", "00", "ValidationFailed")] // CheckSum differs
    [InlineData("/fw/locked.bin", "", "", "DownloadFailed")] // 401 without a credential
    public async Task A_failed_download_is_a_cmd_failure_and_the_image_is_marked(string path, string size, string checksum, string status)
    {
        await using var controller = new ScriptedController();
        controller.Files["image.bin"] = Image("4.0");
        controller.Files["locked.bin"] = Image("4.0");
        controller.Protected["locked.bin"] = "fw:s3cret";
        await using var agent = await StartAgentAsync(controller);
        var args = new Dictionary<string, string> { ["URL"] = controller.BaseUrl + path };
        if (size.Length > 0) args["FileSize"] = size;
        if (checksum.Length > 0) (args["CheckSumAlgorithm"], args["CheckSum"]) = ("SHA-256", checksum);

        var done = await DownloadAsync(controller, "bad", args);

        Assert.Equal(7022u, done.CmdFailure.ErrCode);
        Assert.NotEmpty(done.CmdFailure.ErrMsg);
        Assert.Equal(status, agent.DataModel[Bank2 + "Status"]);
        var activate = await controller.OperateAsync(Bank2 + "Activate()", "act");
        Assert.Equal(7022u, Assert.Single(activate.Body.Response.OperateResp.OperationResults).CmdFailure.ErrCode);
    }

    [Fact]
    public async Task Injected_failures_fail_the_download_or_bring_the_agent_back_on_its_old_version()
    {
        await using var controller = new ScriptedController();
        controller.Files["image.bin"] = Image("5.0");
        await using var agent = await StartAgentAsync(controller, a => a.DownloadError = 7022);
        var failed = await DownloadAsync(controller, "x", new() { ["URL"] = controller.BaseUrl + "/fw/image.bin" });
        Assert.Equal(7022u, failed.CmdFailure.ErrCode);

        agent.DownloadError = null;
        agent.KeepsOldFirmware = true;
        await DownloadAsync(controller, "y", new() { ["URL"] = controller.BaseUrl + "/fw/image.bin", ["AutoActivate"] = "true" });
        var boot = (await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!")).Body.Request.Notify.Event;
        Assert.Equal("true", boot.Params["FirmwareUpdated"]);
        Assert.Equal("2.4.1", agent.DataModel["Device.DeviceInfo.SoftwareVersion"]);
    }

    [Fact]
    public async Task Factory_reset_comes_back_with_remote_factory_reset_and_the_initial_model_and_reboot_with_remote_reboot()
    {
        await using var controller = new ScriptedController();
        await using var agent = await StartAgentAsync(controller);
        agent.DataModel.Write("Device.WiFi.SSID.1.SSID", "changed");

        var reset = await controller.OperateAsync(SimulatedUspAgent.FactoryResetCommand, "fr-1");
        Assert.NotNull(Assert.Single(reset.Body.Response.OperateResp.OperationResults).ReqOutputArgs);
        var boot = (await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!")).Body.Request.Notify.Event;
        Assert.Equal(("RemoteFactoryReset", "fr-1", "false"), (boot.Params["Cause"], boot.Params["CommandKey"], boot.Params["FirmwareUpdated"]));
        Assert.Equal("", agent.DataModel["Device.WiFi.SSID.1.SSID"]);
        Assert.Null(agent.DataModel["Device.LocalAgent.Subscription.2.ID"]); // only the Boot! subscription survives

        await controller.OperateAsync(SimulatedUspAgent.RebootCommand, "rb-1");
        var reboot = (await controller.NextNotifyAsync(n => n.Event?.EventName == "Boot!")).Body.Request.Notify.Event;
        Assert.Equal(("RemoteReboot", "rb-1"), (reboot.Params["Cause"], reboot.Params["CommandKey"]));
    }
}
