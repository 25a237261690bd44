using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>
/// The open sessions, by ACS cookie, by device (serial number) and by the TCP connection they were last used on,
/// and waiters for a device's next session.
/// </summary>
public sealed class CpeSessionRegistry(ILogger<CpeSessionRegistry> logger)
{
    private readonly ConcurrentDictionary<string, CwmpSession> byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CwmpSession> byDevice = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CwmpSession> byConnection = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SessionWaiter> waiters = new(StringComparer.Ordinal);

    public static string NewSessionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public int Count => byId.Count;
    private readonly object capacity = new();

    public CwmpSession? FindById(string? sessionId) =>
        sessionId is not null && byId.TryGetValue(sessionId, out var s) && !s.IsClosed ? s : null;

    /// <summary>
    /// The session last used on this TCP connection: how a CPE that does not return the ACS's cookie (some field
    /// stacks ignore Set-Cookie) continues its session on a kept-alive connection, as other ACSs allow.
    /// </summary>
    public CwmpSession? FindByConnection(string connectionId) =>
        byConnection.TryGetValue(connectionId, out var s) && !s.IsClosed ? s : null;

    /// <summary>Remembers that the session is now spoken on this connection (its Inform, or a later request by cookie).</summary>
    public void BindConnection(CwmpSession session, string connectionId)
    {
        var previous = session.ConnectionId;
        if (previous == connectionId) return;
        if (previous is not null) byConnection.TryRemove(new KeyValuePair<string, CwmpSession>(previous, session));
        session.ConnectionId = connectionId;
        byConnection[connectionId] = session;
        // Closed meanwhile: its close may have missed this entry.
        if (session.IsClosed) byConnection.TryRemove(new KeyValuePair<string, CwmpSession>(connectionId, session));
    }

    public CwmpSession? FindByDevice(string serialNumber) =>
        byDevice.TryGetValue(serialNumber, out var s) && !s.IsClosed ? s : null;

    /// <summary>
    /// Opens the session unless <paramref name="maxSessions"/> are open already (a device replacing its own session
    /// always may). Checked and counted under one lock, so a burst of Informs cannot overshoot the capacity.
    /// </summary>
    public bool TryOpen(CwmpSession session, int maxSessions)
    {
        lock (capacity)
        {
            if (byId.Count >= maxSessions && FindByDevice(session.SerialNumber) is null) return false;
            byId[session.Id] = session;
        }
        Open(session);
        return true;
    }

    /// <summary>
    /// Registers a new session. One session per device: a second Inform while a session is open means the
    /// CPE gave up on the old one (rebooted, lost its connection, timed out on its side). The old session is
    /// closed as superseded: its RPC in flight fails (the CPE will never answer it there), its queued RPCs
    /// move to the new session, and a workflow's hold carries over, so the work continues where the device now is.
    /// </summary>
    public void Open(CwmpSession session)
    {
        byId[session.Id] = session;
        CwmpTelemetry.OpenSessions.Add(1);
        CwmpSession? previous = null;
        byDevice.AddOrUpdate(session.SerialNumber, session, (_, old) =>
        {
            previous = old;
            return session;
        });
        if (previous is not null && !ReferenceEquals(previous, session))
        {
            var wasHeld = previous.IsHeld;
            var carried = CloseCore(previous, "superseded by a new Inform", failQueued: false);
            if (wasHeld) session.Hold(previous.WorkflowId);
            foreach (var rpc in carried)
                if (!session.TryEnqueue(rpc)) rpc.Fail("session closed");
        }
        // Someone still waiting to reach this device (a Connection Request, a reboot) gets the session, held for them;
        // a waiter whose wait gave up has left the table, so no session is held for nobody.
        if (waiters.TryRemove(session.SerialNumber, out var waiter) && waiter.TryHand(session)) session.Hold(null);
    }

    public void Close(CwmpSession session, string reason) => CloseCore(session, reason, failQueued: true);

    private IReadOnlyList<PendingRpc> CloseCore(CwmpSession session, string reason, bool failQueued)
    {
        if (session.IsClosed) return [];
        var leftovers = session.Close(reason, failQueued);
        if (byId.TryRemove(new KeyValuePair<string, CwmpSession>(session.Id, session)))
            CwmpTelemetry.OpenSessions.Add(-1);
        byDevice.TryRemove(new KeyValuePair<string, CwmpSession>(session.SerialNumber, session));
        if (session.ConnectionId is { } connection) byConnection.TryRemove(new KeyValuePair<string, CwmpSession>(connection, session));
        CwmpLog.SessionEnded(logger, session.Id, session.SerialNumber, reason);
        return leftovers;
    }

    /// <summary>
    /// Waits for the device's next session (after a Connection Request, or a reboot); returns a live one at once unless
    /// it is <paramref name="notThis"/> (the session a rebooting device is leaving). Register before letting that
    /// session end, so the next one cannot slip by.
    /// </summary>
    public async Task<CwmpSession> WaitForSessionAsync(string serialNumber, CancellationToken cancellationToken, CwmpSession? notThis = null)
    {
        SessionWaiter waiter;
        do waiter = waiters.GetOrAdd(serialNumber, static _ => new SessionWaiter());
        while (!waiter.TryJoin());
        // A session may have opened between the caller's check and the registration above.
        if (FindByDevice(serialNumber) is { } live && !ReferenceEquals(live, notThis))
        {
            Leave(serialNumber, waiter);
            live.Hold(null);
            return live;
        }
        try
        {
            return await waiter.Session.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Leave(serialNumber, waiter);
            throw;
        }
    }

    /// <summary>Waiters registered (devices someone is waiting for); a wait that gave up is not among them.</summary>
    public int WaiterCount => waiters.Count;

    /// <summary>One caller stops waiting; the last one out takes the entry away, so a device that never returns leaves nothing behind.</summary>
    private void Leave(string serialNumber, SessionWaiter waiter)
    {
        if (waiter.Leave()) waiters.TryRemove(new KeyValuePair<string, SessionWaiter>(serialNumber, waiter));
    }

    /// <summary>
    /// Closes sessions idle for longer than the session timeout, and sessions whose CPE has sat on an RPC for
    /// longer than <paramref name="unansweredRpcTimeout"/> (it dropped the connection mid-session). Closing fails
    /// the RPC in flight, so its caller can reach the device again with a Connection Request within its deadline.
    /// </summary>
    public void CloseIdle(TimeSpan sessionTimeout, TimeSpan unansweredRpcTimeout)
    {
        var idleLimit = (long)sessionTimeout.TotalMilliseconds;
        var answerLimit = (long)unansweredRpcTimeout.TotalMilliseconds;
        foreach (var (_, session) in byId)
        {
            var idle = session.IdleMilliseconds;
            if (idle > idleLimit) Close(session, "session timeout");
            else if (idle > answerLimit && session.HasRpcInFlight) Close(session, "the CPE did not answer the RPC in flight");
        }
    }

    /// <summary>Closes every session (shutdown).</summary>
    public void CloseAll(string reason)
    {
        foreach (var (_, session) in byId) Close(session, reason);
    }
}
