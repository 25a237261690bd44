using Provisioning.Contracts.Northbound;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

/// <summary>
/// A real orchestrator over a real PostgreSQL database (SystemUnderTest), with stand-in devices behind the
/// southbound contract, and the plans the tests use loaded through `cpe plans import`.
/// </summary>
public sealed class CliSystemFixture : IAsyncLifetime
{
    public const string PlansYaml = """
        - name: gold
          description: Fibre, dual-band Wi-Fi, one VoIP line
          data_enabled: true
          wifi:
            - { band: 2.4GHz, ssid: Home-24, key: wifi-secret-24, enabled: true }
            - { band: 5GHz, ssid: Home-5, key: wifi-secret-5G, enabled: true }
          voip_lines:
            - { line: 1, directory_number: "+3215550101", sip_username: sip-user-1, sip_password: sip-secret-1, registrar: sip.example.net }
          vlans: { data_vlan: 100, voip_vlan: 200 }
          periodic_inform_interval: 3600
        - name: silver
          data_enabled: true
          wifi:
            - { band: 2.4GHz, ssid: Basic, key: basic-secret, enabled: true }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("cpe-cli-e2e-").FullName;

    public StandInDevices Devices { get; private set; } = null!;
    public SystemUnderTest System { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Devices = await StandInDevices.StartAsync();
        System = await SystemUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:HostAdapters"] = "false",
            ["Orchestrator:Adapters:Cwmp"] = Devices.Address,
            ["Orchestrator:Adapters:Usp"] = Devices.Address,
            ["Workflow:AuthenticateTimeout"] = "00:00:03",
            ["Workflow:PushConfigTimeout"] = "00:00:03",
            ["Workflow:VerifyTimeout"] = "00:00:03",
            ["Workflow:AdapterRetryDelay"] = "00:00:00.100",
        });
        var plans = await RunAsync("plans", "import", await WriteFileAsync("plans.yaml", PlansYaml));
        if (plans.ExitCode != 0) throw new InvalidOperationException($"loading the test plans failed: {plans.Error}");
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Devices.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Runs `cpe` in-process against this system.</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    public Task<CliRun> RunAsync(string[] args, CancellationToken cancellationToken) =>
        CliRun.ExecuteAsync([.. args, "--server", System.GrpcAddress, "--token", SystemUnderTest.AdminKey], cancellationToken: cancellationToken);

    public string PathOf(string name) => Path.Combine(_directory, name);

    public async Task<string> WriteFileAsync(string name, string content)
    {
        var path = PathOf(name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    public static string NewSerial(string prefix) => TestSerials.Dashed(prefix);

    /// <summary>Registers devices through `cpe inventory import` (CWMP, plan gold unless given).</summary>
    public async Task RegisterAsync(params string[] serials)
    {
        var csv = "serial_number,oui,product_class,protocol,endpoint_id,customer_id,service_plan,location_id,cwmp_username,cwmp_password,connection_request_username,connection_request_password\n"
            + string.Concat(serials.Select(s => $"{s},00D09E,HG8245,cwmp,,C-{s},gold,LOC-1,{s},cwmp-secret,acs,cr-secret\n"));
        var run = await RunAsync("inventory", "import", await WriteFileAsync($"{Guid.NewGuid():N}.csv", csv));
        if (run.ExitCode != 0) throw new InvalidOperationException($"registering devices failed: {run.Error}");
    }

    /// <summary>Registers and provisions a device, waiting until its workflow ends.</summary>
    public async Task<Workflow> ProvisionAsync(string serial)
    {
        await RegisterAsync(serial);
        var response = await System.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
        {
            Device = new Contracts.Common.DeviceRef { SerialNumber = serial, Oui = "00D09E", ProductClass = "HG8245", Protocol = Contracts.Common.DeviceProtocol.Cwmp },
            RequestId = Guid.NewGuid().ToString(),
        });
        return await System.WaitForTerminalAsync(response.Workflow.WorkflowId, TimeSpan.FromSeconds(20));
    }

    public async Task<long> LastPositionAsync() => (await System.EventsAsync()).LastOrDefault()?.GlobalPosition ?? 0;
}

[CollectionDefinition(nameof(CliSystemCollection))]
public sealed class CliSystemCollection : ICollectionFixture<CliSystemFixture>;
