namespace Provisioning.Testing;

/// <summary>Serial numbers unique across the tests of a run, which share one database server and, per fixture, one inventory.</summary>
public static class TestSerials
{
    private static int _counter;

    /// <summary>The prefix, a counter (readable order in logs) and 6 random hex digits (unique across processes).</summary>
    public static string Next(string prefix, int counterDigits = 4) =>
        $"{prefix}{Interlocked.Increment(ref _counter).ToString($"D{counterDigits}")}{RandomHex(6)}";

    /// <summary>The prefix, a dash and 10 random hex digits: for fakes that read a device's behaviour from its prefix.</summary>
    public static string Dashed(string prefix) => $"{prefix}-{RandomHex(10)}";

    private static string RandomHex(int digits) => Guid.NewGuid().ToString("N")[..digits].ToUpperInvariant();
}
