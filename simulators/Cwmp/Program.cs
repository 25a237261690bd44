using System.CommandLine;
using Provisioning.Simulators.Cwmp;

// dotnet run --project simulators/Cwmp -- --acs http://127.0.0.1:7547/ --devices 1000   (--help lists every option)
return await FleetCommand.Create().Parse(args).InvokeAsync();
