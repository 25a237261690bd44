namespace Provisioning.Fuzzing;

/// <summary>
/// How many inputs each target gets. The default run (inside the normal test suite) totals over 100,000 inputs;
/// FUZZ_SCALE multiplies every count for a longer run (scripts/fuzz.sh).
/// </summary>
public static class FuzzBudget
{
    public static long Scale { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("FUZZ_SCALE"), out var scale) && scale > 0 ? scale : 1;

    public static long Of(long baseline) => baseline * Scale;

    /// <summary>The whole run of one target must end within this (a hang fails the test instead of stalling the suite).</summary>
    public static TimeSpan RunLimit(long inputs) => TimeSpan.FromSeconds(60 + inputs / 500);
}
