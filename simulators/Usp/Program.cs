using System.CommandLine;
using Provisioning.Simulators.Usp.Fleet;

// dotnet run --project simulators/Usp -- --url ws://127.0.0.1:8081/usp --count 100   (--help lists every option)
return await FleetCommand.Create().Parse(args).InvokeAsync();
