using System.Diagnostics;

namespace Provisioning.Fuzzing;

/// <summary>
/// Runs one target over generated inputs and holds it to the three promises for hostile input: only the defined
/// error types escape, no input takes more than <see cref="PerInputLimit"/> of its thread's CPU (a hang or a
/// pathological parse; see <see cref="ThreadCpuTime"/>), and no input allocates more
/// than the given bound (unbounded allocation).
/// </summary>
public sealed class HostileInput(string target, Func<Exception, bool> isDefinedError, long allocationBound, TimeSpan perInputLimit)
{
    private long _inputs;
    private long _rejected;

    public TimeSpan PerInputLimit { get; } = perInputLimit;
    public long Inputs => Interlocked.Read(ref _inputs);
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Checks one input; throws (so CsCheck shrinks and reports it) when a promise is broken.</summary>
    public void Check<T>(T input, Action<T> parse, Func<T, string> describe)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = ThreadCpuTime.Now();
        try
        {
            parse(input);
        }
        catch (Exception e) when (isDefinedError(e))
        {
            Interlocked.Increment(ref _rejected);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{target}: {e.GetType().FullName} escaped for {describe(input)}: {e.Message}", e);
        }
        finally
        {
            Interlocked.Increment(ref _inputs);
        }
        var elapsed = ThreadCpuTime.Now() - started;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (elapsed > PerInputLimit)
            throw new InvalidOperationException($"{target}: {elapsed.TotalMilliseconds:F0} ms of CPU (limit {PerInputLimit.TotalMilliseconds:F0}) for {describe(input)}");
        if (allocated > allocationBound)
            throw new InvalidOperationException($"{target}: allocated {allocated:N0} bytes (bound {allocationBound:N0}) for {describe(input)}");
    }

    /// <summary>Runs the whole campaign on a worker thread bounded in time, so a hang fails the test rather than stalling it.</summary>
    public static void Campaign(TimeSpan limit, Action run)
    {
        var task = Task.Factory.StartNew(run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(limit)) throw new TimeoutException($"the fuzz campaign did not finish within {limit} (an input hangs)");
    }
}
