using Provisioning.ServiceDefaults.Telemetry;
using System.Diagnostics;
using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Authentication;
using Provisioning.Southbound.Cwmp.ConnectionRequests;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>A session reached for a southbound call, and how.</summary>
public sealed record SessionLease(CwmpSession Session, ReachedVia ReachedVia);

/// <summary>The CPE's answer to one RPC, or why there is none.</summary>
public sealed record RpcOutcome(CwmpMessage? Response, StepFailure? Failure, SessionLease? Lease);

/// <summary>
/// Reaches devices and runs ACS RPCs in their sessions for the southbound gRPC calls: the live session
/// when there is one, otherwise a Connection Request and the session that follows it. Each call ends when
/// the CPE answered or the caller's token (the step's deadline) fired.
/// </summary>
public sealed class DeviceRpcRunner(
    CpeSessionRegistry sessions,
    KnownDevices devices,
    DeviceCredentialStore credentials,
    ConnectionRequester connectionRequester)
{
    private const int MaxSessionRetries = 3;

    public async Task<(SessionLease? Lease, StepFailure? Failure)> ReachAsync(DeviceRef device, string? workflowId, CancellationToken cancellationToken)
    {
        var serial = device.SerialNumber;
        if (sessions.FindByDevice(serial) is { } live)
        {
            live.Hold(workflowId);
            return (new SessionLease(live, ReachedVia.LiveSession), null);
        }
        LookupDeviceResponse? inventory;
        string? lookupFailure;
        try
        {
            (inventory, lookupFailure) = await LookupAsync(device, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return (null, Failure(FailureKind.Unreachable, "Deadline passed before the Connection Request"));
        }

        // What this instance heard last wins; otherwise the URL recorded at the device's last Inform to any instance
        // (this one before a restart, or another behind the same load balancer).
        var endpoint = devices.Find(serial)?.Endpoint;
        if (string.IsNullOrEmpty(endpoint)) endpoint = inventory?.ConnectionRequestUrl;
        if (string.IsNullOrEmpty(endpoint))
            return (null, Failure(FailureKind.Unreachable, "No session and no ConnectionRequestURL known: the device has never informed an ACS"));

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sessionOpened = sessions.WaitForSessionAsync(serial, waiting.Token);
        using var requesting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var request = connectionRequester.RequestAsync(serial, endpoint,
            string.IsNullOrEmpty(inventory?.ConnectionRequestUsername) ? null : inventory.ConnectionRequestUsername,
            inventory?.ConnectionRequestPassword, requesting.Token);
        // The device may inform on its own meanwhile (a reboot, a retry): then it is here, and a CPE busy in that
        // session answers further Connection Requests with 503 until the step's deadline.
        if (await Task.WhenAny(request, sessionOpened).ConfigureAwait(false) != request) await requesting.CancelAsync().ConfigureAwait(false);
        var result = await request.ConfigureAwait(false);
        if (!result.Accepted && !sessionOpened.IsCompletedSuccessfully)
        {
            await waiting.CancelAsync().ConfigureAwait(false);
            await ObserveAsync(sessionOpened).ConfigureAwait(false);
            return (null, Failure(FailureKind.Unreachable, "The device did not accept a Connection Request before the deadline (" + result.Describe() + ")"
                + (lookupFailure is null ? "" : "; " + lookupFailure)));
        }
        try
        {
            var session = await sessionOpened.ConfigureAwait(false);
            session.Hold(workflowId);
            // Reached by the Connection Request only if it was accepted or the session says it answers one; a device that
            // came by its own Inform (periodic, a reboot) while every request failed was reached in its own session.
            var woken = result.Accepted || session.EventCodes.Contains("6 CONNECTION REQUEST");
            if (!woken) Activity.Current?.SetTag("cwmp.connection_request", result.Describe());
            return (new SessionLease(session, woken ? ReachedVia.ConnectionRequest : ReachedVia.LiveSession), null);
        }
        catch (OperationCanceledException)
        {
            return (null, Failure(FailureKind.Unreachable, "The device accepted the Connection Request but opened no session before the deadline (" + result.Describe() + ")"));
        }
    }

    public async Task<RpcOutcome> ExecuteAsync(DeviceRef device, string? workflowId, CwmpMessage request, CancellationToken cancellationToken)
    {
        // Activity.Current is the incoming southbound gRPC call's span: the exchange becomes its child.
        using var activity = CwmpTelemetry.Source.StartActivity("cwmp." + request.MethodName, ActivityKind.Client);
        activity?.SetTag(CpeSpanAttributes.SerialNumber, device.SerialNumber);
        activity?.SetTag("cwmp.method", request.MethodName);
        if (!string.IsNullOrEmpty(workflowId)) activity?.SetTag(CpeSpanAttributes.WorkflowId, workflowId);

        for (var attempt = 1; ; attempt++)
        {
            var (lease, failure) = await ReachAsync(device, workflowId, cancellationToken).ConfigureAwait(false);
            if (failure is not null || lease is null) return Failed(activity, failure ?? Failure(FailureKind.Unreachable, "unreachable"), null);
            activity?.SetTag("cwmp.session_id", lease.Session.Id);
            activity?.SetTag("cwmp.reached_via", lease.ReachedVia.ToString());

            var rpc = new PendingRpc(request);
            if (!lease.Session.TryEnqueue(rpc)) continue; // it closed in between: reach the device again
            try
            {
                var response = await rpc.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
                CwmpTelemetry.RpcDuration.Record(Stopwatch.GetElapsedTime(rpc.QueuedAt).TotalMilliseconds,
                    new KeyValuePair<string, object?>("cwmp.method", request.MethodName));
                if (response is CwmpFault fault)
                {
                    CwmpTelemetry.RecordFault(fault.FaultCode, request.MethodName);
                    activity?.SetTag("cpe.fault_code", (long)fault.FaultCode);
                    activity?.SetTag("cpe.fault_string", fault.FaultString);
                    var deviceFault = new StepFailure { Kind = FailureKind.DeviceFault, FaultCode = fault.FaultCode, FaultString = fault.FaultString };
                    foreach (var p in fault.ParameterFaults)
                        deviceFault.ParameterFaults.Add(new ParameterFault { Name = p.ParameterName, FaultCode = p.FaultCode, FaultString = p.FaultString });
                    activity?.SetStatus(ActivityStatusCode.Error, $"CPE fault {fault.FaultCode}");
                    return new RpcOutcome(null, deviceFault, lease);
                }
                return new RpcOutcome(response, null, lease);
            }
            catch (CwmpSessionClosedException ex) when (attempt < MaxSessionRetries && !cancellationToken.IsCancellationRequested)
            {
                // The session ended before the CPE answered (superseded by a reboot's Inform, dropped): try again
                // in the device's next session while the deadline allows.
                activity?.AddEvent(new ActivityEvent("session closed", tags: new ActivityTagsCollection { ["reason"] = ex.Reason }));
            }
            catch (CwmpSessionClosedException ex)
            {
                return Failed(activity, Failure(FailureKind.Timeout, $"The session ended before the device answered {request.MethodName}: {ex.Reason}"), lease);
            }
            catch (OperationCanceledException)
            {
                rpc.Abandon();
                return Failed(activity, Failure(FailureKind.Timeout, $"The device did not answer {request.MethodName} before the deadline"), lease);
            }
        }
    }

    /// <summary>
    /// The device's inventory entry (Connection Request credentials), asked again a couple of times when the
    /// orchestrator is slow to answer (a storm); without it the request is still tried, since some CPEs accept it
    /// unauthenticated, and the failure says the credentials were unknown rather than missing.
    /// </summary>
    private async Task<(LookupDeviceResponse? Inventory, string? Failure)> LookupAsync(DeviceRef device, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await credentials.FindDeviceAsync(device, cancellationToken).ConfigureAwait(false), null);
            }
            catch (RpcException e) when (attempt >= 3)
            {
                return (null, $"its Connection Request credentials were unknown: the inventory lookup failed ({e.StatusCode})");
            }
            catch (RpcException)
            {
            }
            await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The CPE applies its new values only after a reboot (SetParameterValues Status 1): reboot it with the push's
    /// ParameterKey as CommandKey, end the session so it can, and hold the session it opens when it is back
    /// ("1 BOOT", "M Reboot") if that comes within the deadline. Null unless the Reboot itself failed.
    /// </summary>
    public async Task<StepFailure?> RebootToApplyAsync(DeviceRef device, string? workflowId, string commandKey, CancellationToken cancellationToken)
    {
        var outcome = await ExecuteAsync(device, workflowId, new Reboot(commandKey), cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
        {
            failure.FaultString = "Reboot to apply the configuration (SetParameterValues Status 1) failed: " + failure.FaultString;
            return failure;
        }
        var rebooting = outcome.Lease!.Session;
        var back = sessions.WaitForSessionAsync(device.SerialNumber, cancellationToken, notThis: rebooting);
        rebooting.Release(); // the CPE reboots once its session ends
        using var activity = CwmpTelemetry.Source.StartActivity("cwmp.reboot_wait", ActivityKind.Internal);
        activity?.SetTag(CpeSpanAttributes.SerialNumber, device.SerialNumber);
        try
        {
            var session = await back.ConfigureAwait(false);
            session.Hold(workflowId);
            activity?.SetTag("cwmp.session_id", session.Id);
            activity?.SetTag("cpe.event_codes", string.Join(", ", session.EventCodes));
            return null;
        }
        catch (OperationCanceledException)
        {
            // A field CPE may take minutes to boot. The push itself succeeded; Verify reaches the device when it is
            // back (its own Inform or a Connection Request) within its own deadline, and fails there if it is not.
            activity?.AddEvent(new ActivityEvent("not back before the push deadline; verify reaches it"));
            return null;
        }
    }

    private static RpcOutcome Failed(Activity? activity, StepFailure failure, SessionLease? lease)
    {
        activity?.SetStatus(ActivityStatusCode.Error, failure.FaultString);
        activity?.SetTag("cwmp.failure_kind", failure.Kind.ToString());
        return new RpcOutcome(null, failure, lease);
    }

    public static StepFailure Failure(FailureKind kind, string message) => new() { Kind = kind, FaultString = message };

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
