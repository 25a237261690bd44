using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>
/// Follows the orchestrator's WatchDeviceChanges for <see cref="SteadyLookups"/>: each changed device is forgotten,
/// everything when the stream says it is not complete or breaks (then watched again after a pause). An orchestrator
/// that does not offer the call leaves the ACS on its brief cache, as before.
/// </summary>
public sealed class DeviceChangeWatcher(DeviceContacts.DeviceContactsClient contacts, DeviceCredentialStore credentials, SteadyLookups steady, CwmpOptions options,
    ILogger<DeviceChangeWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryUnimplemented = TimeSpan.FromMinutes(5);
    /// <summary>Milliseconds between sweeps of settled changes (a bootstrap storm sends many messages a second).</summary>
    private const long PruneInterval = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Auth.Enabled || options.Auth.WatchedCacheDuration <= TimeSpan.Zero) return;
        string? lastReason = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var pause = Retry;
            try
            {
                await WatchAsync(stoppingToken).ConfigureAwait(false);
                lastReason = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex)
            {
                if (ex.StatusCode == StatusCode.Unimplemented) pause = RetryUnimplemented;
                var reason = ex.StatusCode.ToString();
                if (reason != lastReason) CwmpLog.DeviceChangesUnwatched(logger, reason);
                lastReason = reason;
            }
            finally
            {
                steady.Incomplete();
            }
            try { await Task.Delay(pause, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        using var call = contacts.WatchDeviceChanges(new WatchDeviceChangesRequest(), cancellationToken: stoppingToken);
        var first = true;
        var complete = false;
        var lastPrune = Environment.TickCount64;
        await foreach (var changes in call.ResponseStream.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            foreach (var id in changes.DeviceIds) credentials.Changed(id);
            if (changes.Complete != complete || first)
            {
                if (changes.Complete) steady.Complete();
                else steady.Incomplete();
                if (first) CwmpLog.WatchingDeviceChanges(logger, changes.Complete);
                complete = changes.Complete;
                first = false;
            }
            if (changes.DeviceIds.Count > 0 && Environment.TickCount64 - lastPrune > PruneInterval)
            {
                steady.Prune();
                lastPrune = Environment.TickCount64;
            }
        }
        throw new RpcException(new Status(StatusCode.Unavailable, "the orchestrator ended the watch"));
    }
}
