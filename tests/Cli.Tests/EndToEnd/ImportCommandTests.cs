using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Tests.EndToEnd;

[Collection(nameof(CliSystemCollection))]
public sealed class ImportCommandTests(CliSystemFixture fixture)
{
    private const string Header = "serial_number,oui,product_class,protocol,endpoint_id,customer_id,service_plan,location_id,cwmp_username,cwmp_password,connection_request_username,connection_request_password";

    [Fact]
    public async Task Inventory_import_stores_every_device()
    {
        var cwmp = CliSystemFixture.NewSerial("OK");
        var usp = CliSystemFixture.NewSerial("OK");
        var path = await fixture.WriteFileAsync($"{Guid.NewGuid():N}.csv",
            $"{Header}\n{cwmp},00d09e,HG8245,cwmp,,C-1,gold,L-1,cpe,pw,acs,crpw\n{usp},A1B2C3,X1,usp,,C-2,silver,,,,,\n");

        var run = await fixture.RunAsync("inventory", "import", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"loaded 2 device(s) from {path}", run.Console.Trim());
        var stored = await fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = cwmp });
        Assert.Equal("00D09E", stored.Identity.Oui);
        Assert.Equal("gold", stored.ServicePlan);
        Assert.True(stored.HasCwmpPassword);
        var agent = await fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = usp });
        Assert.Equal(DeviceProtocol.Usp, agent.Identity.Protocol);
        Assert.Equal($"os::A1B2C3-{usp}", agent.Identity.EndpointId);
    }

    [Fact]
    public async Task Inventory_import_with_one_bad_row_loads_nothing_and_names_the_row()
    {
        var good = CliSystemFixture.NewSerial("OK");
        var alsoGood = CliSystemFixture.NewSerial("OK");
        var path = await fixture.WriteFileAsync($"{Guid.NewGuid():N}.csv",
            $"{Header}\n{good},00D09E,HG,cwmp,,,gold,,,,,\n{alsoGood},00D09E,HG,cwmp,,,gold,,,,,\nBAD-1,00D09G,HG,cwmp,,,gold,,,,,\n");

        var run = await fixture.RunAsync("inventory", "import", path);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"cpe: {path}: 1 bad row(s), nothing loaded", run.ErrorLines[0]);
        Assert.Equal("  line 4: oui '00D09G' must be 6 hexadecimal digits", run.ErrorLines[1]);
        foreach (var serial in new[] { good, alsoGood })
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() =>
                fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = serial }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
    }

    [Fact]
    public async Task A_row_only_the_server_refuses_is_named_by_line_too_and_nothing_is_loaded()
    {
        var good = CliSystemFixture.NewSerial("OK");
        var tooLong = CliSystemFixture.NewSerial("OK");
        var path = await fixture.WriteFileAsync($"{Guid.NewGuid():N}.csv",
            $"{Header}\n{good},00D09E,HG,cwmp,,,gold,,,,,\n{tooLong},00D09E,HG,cwmp,,{new string('C', 200)},gold,,,,,\n");

        var run = await fixture.RunAsync("inventory", "import", path);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"cpe: {path}: 1 bad row(s), nothing loaded", run.ErrorLines[0]);
        Assert.StartsWith("  line 3: server: devices[1].customer_id", run.ErrorLines[1]);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.System.Inventory.GetDeviceAsync(new GetDeviceRequest { SerialNumber = good }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Plans_import_from_json_stores_every_plan()
    {
        var name = $"plan-{Guid.NewGuid():N}"[..20];
        var path = await fixture.WriteFileAsync($"{name}.json", $$"""
            [
              { "name": "{{name}}", "data_enabled": true, "iptv_enabled": true,
                "vlans": { "data_vlan": 10, "iptv_vlan": 30 },
                "wifi": [ { "band": "6GHz", "ssid": "Six", "key": "six-secret-key", "security_mode": "WPA3-Personal", "enabled": true } ],
                "extra_parameters": { "Time.NTPServer1": "ntp.example.net" } }
            ]
            """);

        var run = await fixture.RunAsync("plans", "import", path);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Console.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"loaded 1 plan(s) from {path}: {name}", lines[0].Trim());
        // The change reaches devices only when they are provisioned again: the import says how to roll it out.
        Assert.Contains($"cpe campaign start --name {name}-", lines[1]);
        Assert.Contains($"--select-plan {name} --plan {name}", lines[1]);
        var plan = await fixture.System.Inventory.GetServicePlanAsync(new GetServicePlanRequest { Name = name });
        Assert.Equal("6GHz", plan.Wifi.Single().Band);
        Assert.Equal(30u, plan.Vlans.IptvVlan);
        Assert.Equal("ntp.example.net", plan.ExtraParameters["Time.NTPServer1"]);
    }

    [Fact]
    public async Task Plans_import_with_one_bad_plan_loads_nothing()
    {
        var good = $"plan-{Guid.NewGuid():N}"[..20];
        var path = await fixture.WriteFileAsync($"{good}.yaml", $"""
            - name: {good}
              data_enabled: true
            - name: {good}-bad
              vlans: {"{"} data_vlan: 5000 {"}"}
            """);

        var run = await fixture.RunAsync("plans", "import", path);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"  line 3: plan '{good}-bad': vlans.data_vlan 5000 must be 0 (none) or 1-4094", run.ErrorLines[1]);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.System.Inventory.GetServicePlanAsync(new GetServicePlanRequest { Name = good }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_model_profile_whose_firmware_image_is_not_http_loads_nothing_of_the_file()
    {
        var name = $"fw-{Guid.NewGuid():N}"[..16];
        var sha = new string('a', 64);
        var path = await fixture.WriteFileAsync($"{name}.yaml", $"""
            plans:
              - name: {name}-plan
                data_enabled: true
            model_profiles:
              - name: {name}-good
                manufacturer: Acme
                model: HG-1
                firmware: {"{"} version: "2.0", url: "https://images.example.net/2.0.bin", file_size: 1024, sha256: "{sha}" {"}"}
              - name: {name}-bad
                manufacturer: Acme
                model: HG-2
                firmware: {"{"} version: "2.0", url: "ftp://images.example.net/2.0.bin", file_size: 1024, sha256: "{sha}" {"}"}
            """);

        var run = await fixture.RunAsync("plans", "import", path);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"line 9: model profile '{name}-bad': firmware.url 'ftp://images.example.net/2.0.bin' is not an absolute http:// or https:// URL", run.Error);
        var profiles = await fixture.System.Inventory.ListModelProfilesAsync(new ListModelProfilesRequest());
        Assert.DoesNotContain(profiles.Profiles, p => p.Name.StartsWith(name, StringComparison.Ordinal));
        var plan = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.System.Inventory.GetServicePlanAsync(new GetServicePlanRequest { Name = name + "-plan" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, plan.StatusCode);
    }

    [Fact]
    public async Task A_model_profiles_firmware_target_is_loaded_with_its_password_kept_out_of_reads()
    {
        var name = $"fw-{Guid.NewGuid():N}"[..16];
        var path = await fixture.WriteFileAsync($"{name}.yaml", $"""
            model_profiles:
              - name: {name}
                manufacturer: Acme
                model: HG-3
                firmware:
                  version: "2.0.1"
                  url: "https://images.example.net/2.0.1.bin"
                  file_size: 16777216
                  sha256: "{new string('b', 64)}"
                  username: cpe-images
                  password: import-image-secret
            """);

        var run = await fixture.RunAsync("plans", "import", path);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain("import-image-secret", run.Console + run.Error);
        var stored = (await fixture.System.Inventory.ListModelProfilesAsync(new ListModelProfilesRequest())).Profiles.Single(p => p.Name == name);
        Assert.Equal(("2.0.1", 16777216ul, "cpe-images", true, ""),
            (stored.Firmware.Version, stored.Firmware.FileSize, stored.Firmware.Username, stored.Firmware.HasPassword, stored.Firmware.Password));
    }
}
