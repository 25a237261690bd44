using Grpc.Core;
using Provisioning.Contracts.Southbound;

namespace Provisioning.Orchestrator.Grpc;

public sealed partial class DeviceContactsGrpcService
{
    /// <summary>Serial numbers sent in one message at most.</summary>
    private const int ChangesPerMessage = 1000;

    /// <summary>
    /// What <see cref="Devices.DeviceContactCache"/> hears, passed on: first whether it hears every change now, then the
    /// devices that changed, as many as are waiting in one message (a bootstrap storm's three writes per workflow become
    /// a few messages a second, not one each), and every change of hearing in its place in the order.
    /// </summary>
    public override async Task WatchDeviceChanges(WatchDeviceChangesRequest request, IServerStreamWriter<DeviceChanges> responseStream, ServerCallContext context)
    {
        // Ended when the orchestrator stops, not at the end of Kestrel's drain: the stream never ends by itself, and the
        // drain would take the shutdown's whole budget from the other services' stops.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellationToken = ending.Token;
        using var watch = deviceCache.Watch();
        var complete = watch.Complete;
        await responseStream.WriteAsync(new DeviceChanges { Complete = complete }, cancellationToken);
        var changes = watch.Changes;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (await changes.WaitToReadAsync(cancellationToken))
            {
                if (watch.Overflowed) throw new RpcException(new Status(StatusCode.ResourceExhausted, "the adapter did not keep up with the device changes"));
                var message = new DeviceChanges { Complete = complete };
                var hearingChanged = false;
                while (message.DeviceIds.Count < ChangesPerMessage && changes.TryPeek(out var change))
                {
                    if (change.Id is null && change.Complete != complete)
                    {
                        // A change of hearing ends the message: what was heard before it goes first.
                        if (message.DeviceIds.Count > 0) break;
                        changes.TryRead(out _);
                        complete = message.Complete = change.Complete;
                        hearingChanged = true;
                        break;
                    }
                    changes.TryRead(out _);
                    if (change.Id is { } id && seen.Add(id)) message.DeviceIds.Add(id);
                }
                seen.Clear();
                if (message.DeviceIds.Count > 0 || hearingChanged) await responseStream.WriteAsync(message, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The adapter went away, or the orchestrator stops.
        }
    }
}
