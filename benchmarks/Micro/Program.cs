using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project benchmarks/Micro -- --filter '*'
// ShortRun (3 warm-ups, 3 iterations), in process: enough for time and bytes per operation on a shared 2-core box,
// without BenchmarkDotNet generating and building a copy of the solution per run.
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(Provisioning.Benchmarks.Micro.CwmpSoapBenchmarks).Assembly).Run(args, config);
