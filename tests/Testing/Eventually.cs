namespace Provisioning.Testing;

/// <summary>
/// The one poll loop of the test suite: waits until a condition holds and fails with what was awaited when it does not
/// within the timeout (10 s unless given). For what the system does in its own time: an asynchronous projection, a
/// report sent off the request path, a connection shed. Timeouts tied to the system's own clock belong to a
/// FakeTimeProvider instead.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), because, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting: {because}");
            await Task.Delay(Poll).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the condition came to hold within the timeout; for a caller that explains a failure itself.</summary>
    public static async Task<bool> HoldsAsync(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(Poll).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>The first thing <paramref name="find"/> finds; fails with <paramref name="because"/> (read at the timeout) when nothing turns up.</summary>
    public static async Task<T> FoundAsync<T>(Func<T?> find, Func<string> because, TimeSpan? timeout = null) where T : class
    {
        var until = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (find() is { } found) return found;
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s: {because()}");
            await Task.Delay(Poll).ConfigureAwait(false);
        }
    }
}
