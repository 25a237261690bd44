using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>
/// One CWMP session: from an Inform to the ACS's final HTTP 204. Bound to the ACS cookie, not to a TCP
/// connection. Holds the queue of ACS RPCs waiting for the CPE's next POST. State changes happen under a
/// short lock that is never held across an await.
/// </summary>
public sealed class CwmpSession
{
    private readonly Lock gate = new();
    private readonly Queue<PendingRpc> queue = new();
    private TaskCompletionSource? workSignal;
    private PendingRpc? inFlight;
    private bool held;
    private bool released;
    private readonly TimeProvider time;
    private long lastActivity;

    /// <param name="time">The clock idleness is read from (tests advance a fake one instead of waiting out the timeout).</param>
    public CwmpSession(string id, string serialNumber, DeviceIdentity identity, string cwmpNamespace, IReadOnlyList<string> eventCodes,
        Authentication.CpeCredential? credential, string? remoteAddress = null, TimeProvider? time = null)
    {
        this.time = time ?? TimeProvider.System;
        lastActivity = this.time.GetTimestamp();
        Id = id;
        SerialNumber = serialNumber;
        Identity = identity;
        CwmpNamespace = cwmpNamespace;
        EventCodes = eventCodes;
        Credential = credential;
        RemoteAddress = remoteAddress;
    }

    public string Id { get; }
    public string SerialNumber { get; }
    public DeviceIdentity Identity { get; }
    /// <summary>The cwmp namespace of the CPE's Inform; every envelope of the session is written in it.</summary>
    public string CwmpNamespace { get; }
    public IReadOnlyList<string> EventCodes { get; }
    /// <summary>
    /// The credential the Inform authenticated with (null when authentication is off): a request of the session from
    /// another connection must present it again (or another credential of the same device).
    /// </summary>
    public Authentication.CpeCredential? Credential { get; }
    /// <summary>The client address the session was opened from.</summary>
    public string? RemoteAddress { get; }
    /// <summary>The TCP connection the session was last spoken on (for CPEs that do not return the cookie).</summary>
    public string? ConnectionId { get; set; }
    /// <summary>The workflow that holds the session, when the orchestrator answered PROVISION.</summary>
    public string? WorkflowId { get; private set; }
    /// <summary>Set once the ACS has sent at least one RPC: later waits use the short idle grace.</summary>
    public bool HasSentRpc { get; private set; }
    public bool IsClosed { get; private set; }
    /// <summary>The Inform's ReportDeviceContact call; the hold decision is known once it completed (it never faults).</summary>
    public Task ContactReported { get; set; } = Task.CompletedTask;
    public string? CloseReason { get; private set; }
    /// <summary>The orchestrator could not be told about this Inform (unavailable, too slow).</summary>
    public bool ContactUnreported { get; set; }

    public long IdleMilliseconds => (long)time.GetElapsedTime(Interlocked.Read(ref lastActivity)).TotalMilliseconds;

    public void Touch() => Interlocked.Exchange(ref lastActivity, time.GetTimestamp());

    /// <summary>A workflow wants this session: the CPE's empty POST waits for its RPCs instead of ending the session.</summary>
    public void Hold(string? workflowId)
    {
        lock (gate)
        {
            held = true;
            released = false;
            if (!string.IsNullOrEmpty(workflowId)) WorkflowId = workflowId;
        }
    }

    /// <summary>The workflow let go: a waiting or later empty POST ends the session with 204.</summary>
    public void Release()
    {
        TaskCompletionSource? signal;
        lock (gate)
        {
            released = true;
            signal = TakeSignal();
        }
        signal?.TrySetResult();
    }

    /// <summary>Queues an RPC for the CPE's next POST; false when the session already ended.</summary>
    public bool TryEnqueue(PendingRpc rpc)
    {
        TaskCompletionSource? signal;
        lock (gate)
        {
            if (IsClosed) return false;
            queue.Enqueue(rpc);
            held = true;
            released = false;
            signal = TakeSignal();
        }
        signal?.TrySetResult();
        return true;
    }

    /// <summary>Takes the next live RPC to send and marks it in flight.</summary>
    public PendingRpc? TryStartNext()
    {
        lock (gate)
        {
            if (IsClosed) return null;
            while (queue.TryDequeue(out var rpc))
            {
                if (rpc.IsDone) continue; // its caller gave up while it waited
                inFlight = rpc;
                HasSentRpc = true;
                return rpc;
            }
            return null;
        }
    }

    /// <summary>Hands the CPE's answer to the RPC in flight; null when none was waiting (e.g. its caller gave up).</summary>
    public PendingRpc? CompleteInFlight(Methods.CwmpMessage response)
    {
        PendingRpc? rpc;
        lock (gate)
        {
            rpc = inFlight;
            inFlight = null;
        }
        rpc?.Complete(response);
        return rpc;
    }

    /// <summary>An RPC was sent and the CPE has not answered it yet.</summary>
    public bool HasRpcInFlight
    {
        get
        {
            lock (gate) return inFlight is not null;
        }
    }

    /// <summary>Whether an empty POST should wait for more work rather than end the session.</summary>
    public bool ShouldHold
    {
        get
        {
            lock (gate) return held && !released && !IsClosed;
        }
    }

    /// <summary>
    /// Waits until an RPC is queued, the workflow releases the session, the session closes, or the timeout
    /// passes. True only when there is work to send.
    /// </summary>
    public async Task<bool> WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task signal;
        lock (gate)
        {
            if (queue.Count > 0) return true;
            if (IsClosed || released) return false;
            workSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = workSignal.Task;
        }
        try
        {
            await signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        lock (gate) return queue.Count > 0 && !IsClosed;
    }

    /// <summary>
    /// Ends the session. The RPC in flight fails (the CPE will never answer it here); queued RPCs are
    /// returned so a superseding session can take them over, or failed when <paramref name="failQueued"/>.
    /// </summary>
    public IReadOnlyList<PendingRpc> Close(string reason, bool failQueued)
    {
        PendingRpc? current;
        PendingRpc[] queued;
        TaskCompletionSource? signal;
        lock (gate)
        {
            if (IsClosed) return [];
            IsClosed = true;
            CloseReason = reason;
            current = inFlight;
            inFlight = null;
            queued = queue.ToArray();
            queue.Clear();
            signal = TakeSignal();
        }
        signal?.TrySetResult();
        current?.Fail(reason);
        if (!failQueued) return queued;
        foreach (var rpc in queued) rpc.Fail(reason);
        return [];
    }

    /// <summary>Whether the session was held by a workflow (carried over when a new Inform supersedes it).</summary>
    public bool IsHeld
    {
        get
        {
            lock (gate) return held && !released;
        }
    }

    private TaskCompletionSource? TakeSignal()
    {
        var signal = workSignal;
        workSignal = null;
        return signal;
    }
}
