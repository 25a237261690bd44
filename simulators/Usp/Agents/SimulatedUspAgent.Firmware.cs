using System.Text.RegularExpressions;
using Provisioning.Simulators.Usp.Transport;
using Provisioning.Usp.Messages;

namespace Provisioning.Simulators.Usp.Agents;

/// <summary>
/// Firmware and factory reset (TR-181 Device.DeviceInfo.FirmwareImage.{i}.Download() / Activate(), Device.FactoryReset()):
/// Download() fetches the image for real into its bank and reports OperationComplete; Activate() (or AutoActivate)
/// reboots into it: Boot! with Cause RemoteReboot and FirmwareUpdated true, the new SoftwareVersion, and the
/// Activate()'s OperationComplete once the agent is back.
/// </summary>
public sealed partial class SimulatedUspAgent
{
    private long _nextRequest;

    [GeneratedRegex(@"^(Device\.DeviceInfo\.FirmwareImage\.\d+\.)(Download\(\)|Activate\(\))$")]
    private static partial Regex FirmwareCommandPattern();

    private static (string Image, string Name)? FirmwareCommand(string command) =>
        FirmwareCommandPattern().Match(command) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value) : null;

    private async Task DownloadFirmwareAsync(IAgentConnection connection, string image, Operate operate)
    {
        var download = FirmwareDownload.From(operate.InputArgs);
        var started = DateTime.UtcNow;
        DataModel.Update(image + "Status", "Downloading");
        await Task.Delay(_options.AsyncCommandDuration).ConfigureAwait(false);
        var outcome = await FirmwareTransfer.FetchAsync(download, _stopping.Token).ConfigureAwait(false);
        if (outcome.Succeeded && DownloadError is { } injected and not 0) outcome = new FirmwareOutcome(null, injected, "injected download failure");
        if (outcome.Succeeded)
        {
            DataModel.Update(image + "Version", outcome.Version!);
            DataModel.Update(image + "Name", Uri.UnescapeDataString(new Uri(download.Url).Segments[^1]));
            DataModel.Update(image + "Available", "true");
            DataModel.Update(image + "Status", "Available");
        }
        else
        {
            DataModel.Update(image + "Status", outcome.Corrupted ? "ValidationFailed" : "DownloadFailed");
        }
        // TR-181 gives Download() no output arguments; like some vendors' agents, this one reports when the transfer ran.
        var times = new Dictionary<string, string> { ["StartTime"] = Rfc3339(started), ["CompleteTime"] = Rfc3339(DateTime.UtcNow) };
        await SendOperationCompleteAsync(_connection ?? connection, image, "Download()", operate.CommandKey, outcome.ErrCode, outcome.ErrMsg, times).ConfigureAwait(false);
        if (outcome.Succeeded && download.AutoActivate) await ActivateAsync(image, operate.CommandKey).ConfigureAwait(false);
    }

    private async Task ActivateAsync(string image, string commandKey)
    {
        await Task.Delay(50).ConfigureAwait(false);
        if (!KeepsOldFirmware)
        {
            DataModel.Update("Device.DeviceInfo.SoftwareVersion", DataModel[image + "Version"] ?? "");
            DataModel.Update("Device.DeviceInfo.ActiveFirmwareImage", image);
        }
        // Reported once the agent is back: the command finished by the reboot it caused.
        _afterBoot.Enqueue(c => SendOperationCompleteAsync(c, image, "Activate()", commandKey, 0, ""));
        Reboot("RemoteReboot", commandKey, firmwareUpdated: true);
    }

    private void FactoryReset(string commandKey)
    {
        var boot = ResetKeepsBootSubscription ? FindBootSubscriptionInstance() : null;
        DataModel.Reset(boot is null ? [] : [boot]);
        if (boot is null) _onBoarded = false; // nothing tells the controller who it is any more: onboard again
        Reboot("RemoteFactoryReset", commandKey);
    }

    private static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private string? FindBootSubscriptionInstance() =>
        DataModel.Instances("Device.LocalAgent.Subscription.").FirstOrDefault(i => DataModel[i + "NotifType"] == "Event"
            && (DataModel[i + "ReferenceList"] ?? "").Split(',', StringSplitOptions.TrimEntries).Contains("Device.Boot!"));

    /// <summary>
    /// OperationComplete on the controller's subscription for it (NotifType OperationComplete, ReferenceList naming the
    /// command or an object above it, which the controller makes before a Download()). Without one TR-369 says nothing
    /// is sent; the simulator still sends it, with an empty subscription_id, as agents in the field do.
    /// </summary>
    private ValueTask SendOperationCompleteAsync(IAgentConnection connection, string objPath, string commandName, string commandKey, uint errCode, string errMsg,
        IReadOnlyDictionary<string, string>? outputArgs = null)
    {
        var command = objPath + commandName;
        var subscription = DataModel.Instances("Device.LocalAgent.Subscription.").FirstOrDefault(i => DataModel[i + "Enable"] is "true" or "1"
            && DataModel[i + "NotifType"] == "OperationComplete"
            && (DataModel[i + "ReferenceList"] ?? "").Split(',', StringSplitOptions.TrimEntries).Any(r => r.Length > 0 && command.StartsWith(r, StringComparison.Ordinal)));
        var subscriptionId = subscription is null ? "" : DataModel[subscription + "ID"] ?? "";
        Interlocked.Increment(ref Statistics.operationsCompleted);
        return SendNotifyAsync(connection, subscriptionId, sendResp: false, notify =>
        {
            notify.OperComplete = new Notify.Types.OperationComplete { ObjPath = objPath, CommandName = commandName, CommandKey = commandKey };
            if (errCode == 0)
            {
                notify.OperComplete.ReqOutputArgs = new Notify.Types.OperationComplete.Types.OutputArgs();
                foreach (var (name, value) in outputArgs ?? new Dictionary<string, string>()) notify.OperComplete.ReqOutputArgs.OutputArgs_[name] = value;
            }
            else notify.OperComplete.CmdFailure = new Notify.Types.OperationComplete.Types.CommandFailure { ErrCode = errCode, ErrMsg = errMsg };
        }, _options.ControllerEndpointId);
    }
}
