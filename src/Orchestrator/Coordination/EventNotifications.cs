using Npgsql;
using Provisioning.Orchestrator.Feed;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>
/// LISTENs for the NOTIFY that every commit of events sends (from any instance), and wakes this instance's live
/// followers, so a follower on instance B sees an event appended by instance A without polling for it.
/// </summary>
public sealed partial class EventNotifications(NpgsqlDataSource dataSource, FeedSignal signal, ILogger<EventNotifications> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Pulse();
                await using (var listen = new NpgsqlCommand($"LISTEN {CoordinationSchema.EventsChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                signal.Pulse(); // anything committed while we were not listening
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.IO.IOException)
            {
                ListenFailed(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(4301, LogLevel.Warning, "Listening for new events failed ({Error}); live followers fall back to polling until it reconnects")]
    private static partial void ListenFailed(ILogger logger, string error);
}
