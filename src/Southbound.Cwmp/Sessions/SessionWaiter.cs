namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>
/// The callers waiting for one device's next session (several steps may wait for the same device), counted so that
/// the session is handed over, and held, only while someone is still there to take it.
/// </summary>
internal sealed class SessionWaiter
{
    private readonly TaskCompletionSource<CwmpSession> session = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int waiting;
    private bool finished;

    public Task<CwmpSession> Session => session.Task;

    /// <summary>Counts one more caller in; false when this waiter is finished (handed over or abandoned): take a fresh one.</summary>
    public bool TryJoin()
    {
        lock (session)
        {
            if (finished) return false;
            waiting++;
            return true;
        }
    }

    /// <summary>One caller gives up; true when it was the last, and the waiter is finished.</summary>
    public bool Leave()
    {
        lock (session)
        {
            if (--waiting > 0 || finished) return false;
            finished = true;
            return true;
        }
    }

    /// <summary>Hands the session to the callers still waiting; false when none is left.</summary>
    public bool TryHand(CwmpSession opened)
    {
        lock (session)
        {
            if (finished || waiting == 0)
            {
                finished = true;
                return false;
            }
            finished = true;
        }
        return session.TrySetResult(opened);
    }
}
