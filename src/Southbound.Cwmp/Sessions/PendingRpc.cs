using System.Diagnostics;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Sessions;

/// <summary>Thrown to an RPC's caller when its session ended before the CPE answered.</summary>
public sealed class CwmpSessionClosedException(string reason) : Exception($"CWMP session ended before the CPE answered: {reason}")
{
    public string Reason { get; } = reason;
}

/// <summary>One ACS to CPE RPC: queued by a southbound call, sent in answer to the CPE's next POST, completed by the CPE's response or fault.</summary>
public sealed class PendingRpc(CwmpMessage request)
{
    private static long nextId;

    private readonly TaskCompletionSource<CwmpMessage> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CwmpMessage Request { get; } = request;

    /// <summary>The cwmp:ID sent with the request (the CPE echoes it).</summary>
    public string Id { get; } = Interlocked.Increment(ref nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public long QueuedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>The CPE's response message or a <see cref="CwmpFault"/>.</summary>
    public Task<CwmpMessage> Result => completion.Task;

    /// <summary>True once answered, failed or abandoned by its caller: such an RPC is never sent.</summary>
    public bool IsDone => completion.Task.IsCompleted;

    public bool Complete(CwmpMessage response) => completion.TrySetResult(response);

    public bool Fail(string reason) => completion.TrySetException(new CwmpSessionClosedException(reason));

    /// <summary>The caller gave up (deadline): if still queued it will be skipped.</summary>
    public bool Abandon() => completion.TrySetCanceled();
}
