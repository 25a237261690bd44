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
        using var watch = deviceCache.Watch();
        var complete = watch.Complete;
        await responseStream.WriteAsync(new DeviceChanges { Complete = complete }, context.CancellationToken);
        var changes = watch.Changes;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (await changes.WaitToReadAsync(context.CancellationToken))
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
                if (message.DeviceIds.Count > 0 || hearingChanged) await responseStream.WriteAsync(message, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The adapter went away, or the orchestrator stops.
        }
    }
}
