using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// Admits event streams within the caps of <see cref="FeedOptions"/>: in total and per caller, so one caller's
/// thousand idle followers are refused rather than allowed to take memory and store connections from everyone.
/// </summary>
public sealed class FeedAdmission(IOptions<FeedOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _perCaller = new(StringComparer.Ordinal);
    private int _total;

    public int OpenStreams => Volatile.Read(ref _total);

    /// <summary>A slot for one stream of <paramref name="caller"/>, released when disposed; RESOURCE_EXHAUSTED beyond the caps.</summary>
    public IDisposable Admit(string caller)
    {
        var limits = options.Value;
        if (Interlocked.Increment(ref _total) > limits.MaxStreams)
        {
            Interlocked.Decrement(ref _total);
            throw Exhausted($"this instance already serves {limits.MaxStreams} event streams (Feed:MaxStreams); retry later");
        }
        var mine = _perCaller.AddOrUpdate(caller, 1, (_, n) => n + 1);
        if (mine > limits.MaxStreamsPerCaller)
        {
            Release(caller);
            throw Exhausted($"this caller already has {limits.MaxStreamsPerCaller} event streams open (Feed:MaxStreamsPerCaller)");
        }
        return new Slot(this, caller);
    }

    private void Release(string caller)
    {
        Interlocked.Decrement(ref _total);
        // Removed at zero so the table holds only callers with streams open.
        if (_perCaller.AddOrUpdate(caller, 0, (_, n) => n - 1) <= 0) _perCaller.TryRemove(new KeyValuePair<string, int>(caller, 0));
    }

    private static RpcException Exhausted(string detail) => new(new Status(StatusCode.ResourceExhausted, detail));

    private sealed class Slot(FeedAdmission admission, string caller) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) admission.Release(caller);
        }
    }
}
