using Provisioning.Benchmarks.Storm;

// Bootstrap-storm benchmark. Run through ./scripts/benchmark.sh (builds the orchestrator in Release first).
if (args is [LagProbe.Mode, var grpcUrl, var after, var output]) return await LagProbe.RunAsync(grpcUrl, long.Parse(after, System.Globalization.CultureInfo.InvariantCulture), output);

StormOptions options;
try
{
    options = StormOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(StormOptions.Usage);
    return 2;
}

var root = AppContext.BaseDirectory;
while (root is not null && !File.Exists(Path.Combine(root, "Provisioning.sln"))) root = Path.GetDirectoryName(root);
root ??= Directory.GetCurrentDirectory();
if (options.Scenario == "connected") return await new ConnectedAgents(options, root).RunAsync();
if (options.Scenario == "periodic") return await new PeriodicStorm(options, root).RunAsync();
return await new StormRun(options, root).RunAsync();
