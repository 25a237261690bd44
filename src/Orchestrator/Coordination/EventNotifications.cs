using Npgsql;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Feed;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// LISTENs for the NOTIFYs that commits send (from any instance): of events, to wake this instance's live followers,
/// so a follower on instance B sees an event appended by instance A without polling for it; of devices' records,
/// routes and credentials, to drop them from this instance's <see cref="DeviceContactCache"/>.
/// </summary>
public sealed partial class EventNotifications(NpgsqlDataSource dataSource, FeedSignal signal, DeviceContactCache devices, ILogger<EventNotifications> logger) : BackgroundService
{
    /// <summary>
    /// How often an idle LISTEN connection is checked: one that died silently (a dropped link sends nothing) would
    /// leave the device cache serving what changed since, so a check failing within this bound stops it.
    /// </summary>
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == CoordinationSchema.DevicesChannel) devices.Evict(e.Payload);
                    else signal.Pulse();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {CoordinationSchema.EventsChannel}; LISTEN {CoordinationSchema.DevicesChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                devices.Listen();
                signal.Pulse(); // anything committed while we were not listening
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (await connection.WaitAsync(Heartbeat, stoppingToken)) continue;
                    await using var check = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)Heartbeat.TotalSeconds };
                    await check.ExecuteScalarAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                devices.Deafen();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.IO.IOException)
            {
                devices.Deafen();
                ListenFailed(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(4301, LogLevel.Warning, "Listening for new events failed ({Error}); live followers fall back to polling and contacts read every device from the store until it reconnects")]
    private static partial void ListenFailed(ILogger logger, string error);
}
