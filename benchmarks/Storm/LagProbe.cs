using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// A live follower in a process of its own, as an operator's client would be: the storm's EventFollower shares its
/// process (and thread pool) with a thousand simulated devices, so its receive times also hold their queueing. It
/// writes "position receive-ticks" per event to a file, read after the storm beside the events' commit times.
/// </summary>
public sealed class LagProbe : IDisposable
{
    public const string Mode = "--lag-probe";
    private const string KeyVariable = "STORM_LAG_PROBE_KEY";
    private readonly Process _process;

    private LagProbe(Process process, string output) => (_process, Output) = (process, output);

    public string Output { get; }

    public static LagProbe Start(string grpcUrl, string key, long afterPosition, string output)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var a in new[] { typeof(LagProbe).Assembly.Location, Mode, grpcUrl, afterPosition.ToString(CultureInfo.InvariantCulture), output }) start.ArgumentList.Add(a);
        start.Environment[KeyVariable] = key; // not on the command line
        var process = Process.Start(start)!;
        // Following (admitted) before the storm starts, or given up on after a while: its figures then start late.
        var ready = process.StandardOutput.ReadLineAsync();
        ready.Wait(TimeSpan.FromSeconds(15));
        return new LagProbe(process, output);
    }

    /// <summary>Stops the probe and reads what it received.</summary>
    public List<(long Position, DateTimeOffset Received)> Stop()
    {
        try { _process.StandardInput.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(5000)) _process.Kill();
        var receipts = new List<(long, DateTimeOffset)>();
        if (!File.Exists(Output)) return receipts;
        foreach (var line in File.ReadLines(Output))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2) receipts.Add((long.Parse(parts[0], CultureInfo.InvariantCulture), new DateTimeOffset(long.Parse(parts[1], CultureInfo.InvariantCulture), TimeSpan.Zero)));
        }
        return receipts;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }

    /// <summary>The probe process: follows from the position until its standard input closes.</summary>
    public static async Task<int> RunAsync(string grpcUrl, long afterPosition, string output)
    {
        var key = Environment.GetEnvironmentVariable(KeyVariable) ?? "";
        using var channel = GrpcChannel.ForAddress(grpcUrl);
        var client = new ProvisioningService.ProvisioningServiceClient(channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {key}");
            return metadata;
        }));
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () => { while (await Console.In.ReadLineAsync() is not null) { } await stop.CancelAsync(); });
        var received = new List<(long, long)>(16384);
        try
        {
            using var call = client.StreamProvisioningEvents(new StreamProvisioningEventsRequest { Follow = true, AfterPosition = afterPosition }, cancellationToken: stop.Token);
            await call.ResponseHeadersAsync;
            Console.WriteLine("following");
            while (await call.ResponseStream.MoveNext(stop.Token)) received.Add((call.ResponseStream.Current.GlobalPosition, DateTime.UtcNow.Ticks));
        }
        catch (Exception e) when (e is OperationCanceledException || e is RpcException { StatusCode: StatusCode.Cancelled }) { }
        await File.WriteAllLinesAsync(output, received.Select(r => $"{r.Item1} {r.Item2}"));
        return 0;
    }
}
