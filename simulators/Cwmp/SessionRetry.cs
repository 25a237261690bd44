namespace Provisioning.Simulators.Cwmp;

/// <summary>
/// TR-069's session retry policy (3.2.1.1): after its n-th failed attempt in a row a CPE waits a random time in
/// [m·(k/1000)^(n-1), m·(k/1000)^n] and informs again with the same events, where m is
/// CWMPRetryMinimumWaitInterval (5 s by default) and k CWMPRetryIntervalMultiplier (2000); the exponent stops
/// growing at 10. A storm's CPEs that could not connect come back spread out this way, not all at once.
/// </summary>
public sealed record SessionRetry(TimeSpan MinimumWait, int IntervalMultiplier = 2000, int MaxRetries = 10)
{
    public static SessionRetry Default { get; } = new(TimeSpan.FromSeconds(5));

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan WaitBefore(int retry)
    {
        var n = Math.Clamp(retry, 1, 10);
        var k = IntervalMultiplier / 1000.0;
        var low = MinimumWait.TotalMilliseconds * Math.Pow(k, n - 1);
        var high = MinimumWait.TotalMilliseconds * Math.Pow(k, n);
        return TimeSpan.FromMilliseconds(low + Random.Shared.NextDouble() * (high - low));
    }
}
