using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Usp.Agents;
using Provisioning.Southbound.Usp.Messages;
using Provisioning.Southbound.Usp.Messages.Get;
using Provisioning.Southbound.Usp.Messages.Notify;
using Provisioning.Southbound.Usp.Messages.Operate;
using Provisioning.Southbound.Usp.Onboarding;
using Provisioning.Southbound.Usp.Telemetry;

namespace Provisioning.Southbound.Usp.Grpc;

/// <summary>
/// A firmware upgrade carried to its end (TR-181 FirmwareImage): Download() into a bank the agent does not run from and
/// its OperationComplete, then Activate(), the reboot it causes, the Boot! and the version the agent came back with.
/// A download the agent reports as failed is a FirmwareTransfer with its USP code (not a step failure), and nothing is
/// activated; a device back on its old version is reported as it is, the orchestrator decides what that means.
/// </summary>
internal sealed partial class UspDeviceAdapterService
{
    public override async Task<DownloadFirmwareResponse> DownloadFirmware(DownloadFirmwareRequest request, ServerCallContext context)
    {
        var endpointId = EndpointIdOf(request.Device);
        ValidateFirmwareRequest(request);
        var commandKey = CommandKey(request.CommandKey, request.WorkflowId);
        using var step = StepToken(context);
        using var activity = UspTelemetry.Source.StartActivity("usp.firmware_upgrade");
        activity?.SetTag(UspTelemetry.AttrEndpointId, endpointId);
        activity?.SetTag(UspTelemetry.AttrCommandKey, commandKey);
        var started = Stopwatch.GetTimestamp();
        var response = new DownloadFirmwareResponse();
        string image = "", before = "";
        try
        {
            var session = await ConnectedAsync(endpointId, step.Token);
            (image, before) = await PrepareFirmwareAsync(session, step.Token);
            activity?.SetTag(UspTelemetry.AttrFirmwareImage, image);
            activity?.SetTag(UspTelemetry.AttrVersionBefore, before);
            response.Transfer = await DownloadIntoAsync(session, image, commandKey, request, step.Token);
            activity?.AddEvent(new ActivityEvent("usp.download_complete", tags: new ActivityTagsCollection { [UspTelemetry.AttrErrorCode] = (long)response.Transfer.FaultCode }));
            if (response.Transfer.FaultCode == 0)
                response.FirmwareVersionAfter = await ActivateAsync(session, image, commandKey, activity, step.Token);
        }
        catch (UspRequestException ex)
        {
            response.Failure = Failure(ex);
        }
        RecordUpgrade(activity, endpointId, commandKey, image, before, response, Stopwatch.GetElapsedTime(started));
        return response;
    }

    /// <summary>The caller's mistakes are refused before anything reaches the agent.</summary>
    private static void ValidateFirmwareRequest(DownloadFirmwareRequest request)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out _))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "url must be an absolute URL of the firmware image"));
        if (request.Sha256.Length > 0 && (request.Sha256.Length != 64 || !request.Sha256.All(Uri.IsHexDigit)))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "sha256 must be 64 hexadecimal digits"));
    }

    /// <summary>
    /// One Get reads the banks, which one runs, the version and the subscription table; the OperationComplete
    /// subscription for FirmwareImage commands is added when this controller has none (TR-369 sends OperationComplete
    /// only on one). Returns the image to download into and the version running now.
    /// </summary>
    private async Task<(string Image, string Version)> PrepareFirmwareAsync(AgentSession session, CancellationToken cancellationToken)
    {
        var read = await requester.GetAsync(session, [FirmwareBanks.Table, FirmwareBanks.ActiveImage, FirmwareBanks.SoftwareVersion, FirstContact.SubscriptionTable], cancellationToken);
        var image = FirmwareBanks.Choose(read.Values);
        if (image is null)
        {
            var refused = read.PathErrors.FirstOrDefault(e => e.Path.StartsWith(FirmwareBanks.Table, StringComparison.Ordinal));
            throw new UspErrorException(refused?.Code ?? UspErrorCodes.ObjectDoesNotExist, refused?.Message ?? "the agent lists no " + FirmwareBanks.Table + " to download into", []);
        }
        if (!FirstContact.HasSubscription(read.Values, "OperationComplete", image + "Download()", session.OwnControllerPath))
        {
            try
            {
                await FirstContact.AddSubscriptionAsync(requester, session, options.Value.FirmwareSubscriptionId, "OperationComplete", FirmwareBanks.Table, cancellationToken);
            }
            catch (UspRequestException ex) when (ex is UspErrorException or UspProtocolViolationException)
            {
                // Agents in the field report OperationComplete to the controller that operated all the same; the
                // step's deadline bounds the wait of one that does not.
                Activity.Current?.AddEvent(new ActivityEvent("usp.subscription_refused", tags: new ActivityTagsCollection
                {
                    [UspTelemetry.AttrErrorCode] = (long)ex.Code,
                    ["usp.subscription.reference"] = FirmwareBanks.Table,
                }));
            }
        }
        return (image, read.Values.GetValueOrDefault(FirmwareBanks.SoftwareVersion) ?? "");
    }

    /// <summary>Download() without AutoActivate, waited for until its OperationComplete; a cmd_failure there is the transfer's fault.</summary>
    private async Task<FirmwareTransfer> DownloadIntoAsync(AgentSession session, string image, string commandKey, DownloadFirmwareRequest request, CancellationToken cancellationToken)
    {
        var inputs = new Dictionary<string, string>
        {
            ["URL"] = request.Url,
            // Activated by this controller once the download is known good, so a failed one never reboots the device.
            ["AutoActivate"] = "false",
        };
        if (!string.IsNullOrEmpty(request.Username)) inputs["Username"] = request.Username;
        if (!string.IsNullOrEmpty(request.Password)) inputs["Password"] = request.Password;
        if (request.FileSize > 0) inputs["FileSize"] = request.FileSize.ToString(CultureInfo.InvariantCulture);
        if (request.Sha256.Length > 0) (inputs["CheckSumAlgorithm"], inputs["CheckSum"]) = ("SHA-256", request.Sha256.ToLowerInvariant());
        try
        {
            var output = await requester.OperateAsync(completions, session, image + "Download()", commandKey, inputs, waitForCompletion: true, cancellationToken);
            return new FirmwareTransfer { CommandKey = commandKey, StartTime = TimeOf(output, "StartTime"), CompleteTime = TimeOf(output, "CompleteTime") };
        }
        catch (UspCommandFailedException failed)
        {
            return new FirmwareTransfer { CommandKey = commandKey, FaultCode = failed.Code, FaultString = failed.ErrorMessage };
        }
    }

    /// <summary>An output argument's time as the agent gave it; TR-181's unknown time (0001-01-01T00:00:00Z) is empty.</summary>
    private static string TimeOf(IReadOnlyDictionary<string, string> output, string name) =>
        output.GetValueOrDefault(name) is { Length: > 0 } time && !time.StartsWith("0001-01-01", StringComparison.Ordinal) ? time : "";

    /// <summary>Activate(), then the version the agent runs after the reboot it causes (the Boot!'s ParameterMap, else a Get).</summary>
    private async Task<string> ActivateAsync(AgentSession session, string image, string commandKey, Activity? activity, CancellationToken cancellationToken)
    {
        // Registered before the command: the agent may be back and announce itself before the OperateResp is read.
        var boot = boots.Expect(session.EndpointId);
        try
        {
            try
            {
                await requester.OperateAsync(completions, session, image + "Activate()", commandKey, null, waitForCompletion: false, cancellationToken);
            }
            catch (AgentDisconnectedException)
            {
                // Gone to reboot before its OperateResp arrived: the Boot! tells the rest.
            }
            activity?.AddEvent(new ActivityEvent("usp.activate_sent"));
            var announced = await BootAfterActivateAsync(session, boot.Task, cancellationToken);
            if (announced is not null)
            {
                activity?.AddEvent(new ActivityEvent("usp.boot", tags: new ActivityTagsCollection
                {
                    ["usp.boot_cause"] = announced.Cause,
                    ["usp.boot.firmware_updated"] = announced.FirmwareUpdated,
                    [UspTelemetry.AttrCommandKey] = announced.CommandKey,
                }));
                if (announced.ParameterMap.GetValueOrDefault(FirmwareBanks.SoftwareVersion) is { Length: > 0 } version) return version;
            }
            UspLog.FirmwareVersionRead(logger, session.EndpointId);
            var read = await OnAgentAsync(session.EndpointId, cancellationToken, s => requester.GetAsync(s, [FirmwareBanks.SoftwareVersion], cancellationToken));
            return read.Values.GetValueOrDefault(FirmwareBanks.SoftwareVersion) ?? "";
        }
        finally
        {
            boots.Forget(session.EndpointId, boot);
        }
    }

    /// <summary>
    /// The Boot! that follows Activate(), or null when the agent reconnected and sent none within
    /// Usp:BootAfterReconnectWait (it holds no Boot! subscription). Not back within the step: a timeout.
    /// </summary>
    private async Task<AgentBoot?> BootAfterActivateAsync(AgentSession before, Task<AgentBoot> boot, CancellationToken cancellationToken)
    {
        AgentSession? session;
        using (var reconnect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // A new connection, not the one going down (it may not have been seen to close yet).
            var back = registry.WaitForAsync(before.EndpointId, reconnect.Token, other: before);
            try
            {
                await Task.WhenAny(boot, back);
                if (boot.IsCompleted) return await boot;
                session = await back;
            }
            finally
            {
                await reconnect.CancelAsync(); // the reconnection wait ends with the call
            }
        }
        if (session is null) throw new UspTimeoutException(before.EndpointId, "its reconnection after Activate()");
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(options.Value.BootAfterReconnectWait);
        try
        {
            return await boot.WaitAsync(grace.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new UspTimeoutException(before.EndpointId, "Boot! after Activate()");
        }
    }

    private void RecordUpgrade(Activity? activity, string endpointId, string commandKey, string image, string before, DownloadFirmwareResponse response, TimeSpan duration)
    {
        var after = response.FirmwareVersionAfter;
        var faultCode = response.Failure?.FaultCode ?? response.Transfer?.FaultCode ?? 0;
        var outcome = response.Failure is not null || response.Transfer is null ? "failed"
            : response.Transfer.FaultCode != 0 ? "download_failed"
            : after.Length == 0 ? "version_unknown"
            : after == before ? "version_unchanged" : "upgraded";
        if (activity is not null)
        {
            activity.SetTag("usp.firmware.outcome", outcome);
            activity.SetTag(UspTelemetry.AttrVersionAfter, after);
            if (faultCode != 0) activity.SetTag(UspTelemetry.AttrErrorCode, (long)faultCode);
            if (outcome is "failed" or "download_failed")
                activity.SetStatus(ActivityStatusCode.Error, response.Failure?.FaultString ?? response.Transfer?.FaultString);
        }
        UspTelemetry.CountFirmwareUpgrade(outcome, faultCode, duration);
        UspLog.FirmwareUpgraded(logger, endpointId, commandKey, image, outcome, faultCode, before, after);
    }
}
