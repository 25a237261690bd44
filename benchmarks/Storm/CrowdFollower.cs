using Grpc.Core;
using Grpc.Net.Client;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Benchmarks.Storm;

/// <summary>What a crowd follower does with its event stream once it is admitted.</summary>
public enum CrowdBehaviour
{
    /// <summary>Follows from position 0 and never reads: the backlog fills the HTTP/2 window at once.</summary>
    Stalled,
    /// <summary>Follows live and reads one event a second, far behind a storm's rate.</summary>
    Slow,
}

/// <summary>What the server did with a crowd follower's stream.</summary>
public enum CrowdOutcome { Opening, Accepted, Refused, NoAnswer, Ended }

/// <summary>
/// One of the followers beside the measured one (issue #16): StreamProvisioningEvents with an operator key over a
/// GrpcChannel of its own (its own TCP connection, as a separate client has), so it shares no flow control with the
/// measured follower and whatever it costs is the server's.
/// </summary>
public sealed class CrowdFollower : IAsyncDisposable
{
    private static readonly TimeSpan SlowReadInterval = TimeSpan.FromSeconds(1);
    /// <summary>A refusal's status follows its headers within milliseconds; an admitted live stream may wait for its first event.</summary>
    private static readonly TimeSpan RefusalWait = TimeSpan.FromSeconds(2);
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers;
    private readonly CancellationTokenSource _stop = new();
    private AsyncServerStreamingCall<ProvisioningEvent>? _call;
    private Task _reading = Task.CompletedTask;
    /// <summary>The stream's first read, started at opening (it tells a refusal from an admission).</summary>
    private Task<bool> _first = Task.FromResult(false);
    private long _events;
    private DateTimeOffset _openedAt;

    public CrowdFollower(string grpcUrl, string operatorKey, CrowdBehaviour behaviour)
    {
        Behaviour = behaviour;
        // The channel owns its handler, so closing the follower closes its connection: otherwise the connection idles
        // open for a minute and counts against the orchestrator's northbound connection budget (Limits:Connections).
        _channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler(), DisposeHttpClient = true });
        _headers = new Metadata { { "authorization", $"Bearer {operatorKey}" } };
    }

    public CrowdBehaviour Behaviour { get; }
    public CrowdOutcome Outcome { get; private set; } = CrowdOutcome.Opening;
    /// <summary>The refusal's or the end's status (null while the stream is open).</summary>
    public Status? Status { get; private set; }
    /// <summary>Seconds from admission to the end, when the end was seen as it happened (slow followers); null otherwise.</summary>
    public double? EndedAfterSeconds { get; private set; }
    public long Events => Interlocked.Read(ref _events);

    /// <summary>
    /// Opens the stream and tells an admitted one from a refused one. Both are answered with response headers; a refusal's
    /// status (RESOURCE_EXHAUSTED) is read only with the stream, so the first read decides: a refusal fails it at once.
    /// Reading one event does not unstall a stalled follower: the backlog behind it still fills the HTTP/2 window.
    /// </summary>
    public async Task OpenAsync(long livePosition, CancellationToken cancellationToken)
    {
        var client = new ProvisioningService.ProvisioningServiceClient(_channel);
        var request = new StreamProvisioningEventsRequest { Follow = true, AfterPosition = Behaviour == CrowdBehaviour.Stalled ? 0 : livePosition };
        _call = client.StreamProvisioningEvents(request, _headers, cancellationToken: _stop.Token);
        try
        {
            await _call.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (RpcException e)
        {
            Refuse(e.Status);
            return;
        }
        catch (TimeoutException)
        {
            Outcome = CrowdOutcome.NoAnswer;
            return;
        }
        _first = _call.ResponseStream.MoveNext(_stop.Token);
        await Task.WhenAny(_first, Task.Delay(RefusalWait, cancellationToken));
        if (_first.IsFaulted && _first.Exception?.InnerException is RpcException refusal)
        {
            Refuse(refusal.Status);
            return;
        }
        Outcome = CrowdOutcome.Accepted;
        _openedAt = DateTimeOffset.UtcNow;
        if (Behaviour == CrowdBehaviour.Slow) _reading = ReadSlowlyAsync(_call, _first);
    }

    private void Refuse(Status status)
    {
        Outcome = CrowdOutcome.Refused;
        Status = status;
        // A refused client goes away: its connection is not kept for the rest of the run.
        _call?.Dispose();
        _channel.Dispose();
    }

    private async Task ReadSlowlyAsync(AsyncServerStreamingCall<ProvisioningEvent> call, Task<bool> first)
    {
        try
        {
            var more = await first;
            while (more)
            {
                Interlocked.Increment(ref _events);
                await Task.Delay(SlowReadInterval, _stop.Token);
                more = await call.ResponseStream.MoveNext(_stop.Token);
            }
            End(new Status(StatusCode.OK, "stream completed"));
        }
        catch (RpcException e) when (!_stop.IsCancellationRequested)
        {
            End(e.Status);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException) { } // stopped by the run: still open
    }

    private void End(Status status)
    {
        Outcome = CrowdOutcome.Ended;
        Status = status;
        EndedAfterSeconds = (DateTimeOffset.UtcNow - _openedAt).TotalSeconds;
    }

    /// <summary>
    /// A stalled follower's end is only seen by reading: its status comes after whatever the server had sent before it
    /// gave up. Reads until the status, or until nothing arrives for <paramref name="quiet"/> (caught up: still open).
    /// </summary>
    public async Task DrainAsync(TimeSpan quiet)
    {
        if (Outcome != CrowdOutcome.Accepted || Behaviour != CrowdBehaviour.Stalled || _call is null) return;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        try
        {
            idle.CancelAfter(quiet);
            var more = await _first.WaitAsync(idle.Token);
            while (more)
            {
                Interlocked.Increment(ref _events);
                idle.CancelAfter(quiet);
                more = await _call.ResponseStream.MoveNext(idle.Token);
            }
            Outcome = CrowdOutcome.Ended;
            Status = new Status(StatusCode.OK, "stream completed");
        }
        catch (RpcException e) when (!idle.IsCancellationRequested)
        {
            Outcome = CrowdOutcome.Ended;
            Status = e.Status;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException) { } // quiet: caught up and still open
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; } catch (OperationCanceledException) { }
        try { await _first; } catch (Exception e) when (e is OperationCanceledException or RpcException) { }
        _call?.Dispose();
        _channel.Dispose();
        _stop.Dispose();
    }
}
