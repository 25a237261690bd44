using Npgsql;

namespace Provisioning.Orchestrator.Devices;

/// <summary>
/// A device's own stream is written by several hands at once (a refused contact, a credential push, a factory reset,
/// another instance): two appends can race for the same stream version, or to create the stream. Such a write is
/// simply done again on the stream as it now is; nothing is lost and no workflow fails for it.
/// </summary>
public static class DeviceStreamConflicts
{
    private const int Attempts = 5;

    public static async Task<T> RetryAsync<T>(Func<Task<T>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception e) when (attempt < Attempts && IsConflict(e))
            {
                await Task.Delay(Random.Shared.Next(5, 20 * attempt));
            }
        }
    }

    public static Task RetryAsync(Func<Task> write) => RetryAsync(async () =>
    {
        await write();
        return true;
    });

    /// <summary>An optimistic-concurrency loss on the stream (its version, or its creation by another writer).</summary>
    public static bool IsConflict(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is JasperFx.ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException) return true;
            // A unique violation on the events or streams table (not a document insert, which callers handle themselves).
            if (x is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg
                && (pg.TableName?.StartsWith("mt_event", StringComparison.Ordinal) == true || pg.TableName?.StartsWith("mt_streams", StringComparison.Ordinal) == true))
                return true;
        }
        return false;
    }
}
