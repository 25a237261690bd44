using Provisioning.Cli.Imports;

namespace Provisioning.Cli.Tests.Imports;

public sealed class ServicePlanFileTests
{
    private const string Yaml = """
        # two plans
        - name: gold
          description: Fibre with VoIP
          data_enabled: true
          wifi:
            - band: 2.4GHz
              ssid: home-24
              key: "correct horse battery"
              enabled: true
            - band: 5GHz
              ssid: home-5
              key: correct-horse-5g
              security_mode: WPA3-Personal
              enabled: true
          voip_lines:
            - line: 1
              directory_number: 5551234
              sip_username: "5551234"
              sip_password: s1p-pass
              registrar: sip.example.net
          iptv_enabled: true
          vlans: { data_vlan: 100, voip_vlan: 200, iptv_vlan: 300 }
          periodic_inform_interval: 300
          extra_parameters:
            Time.NTPServer1: pool.ntp.org
        - name: basic
          wifi:
            - { band: 2.4GHz, ssid: basic, key: basicbasic, enabled: true }
        """;

    [Fact]
    public void Yaml_plans_map_to_the_contract()
    {
        var (plans, problems) = ServicePlanFile.Parse(Yaml, isJson: false);
        Assert.Empty(problems);
        Assert.Equal(["gold", "basic"], plans.Select(p => p.Plan.Name));
        var gold = plans[0].Plan;
        Assert.True(gold.DataEnabled);
        Assert.Equal(2, gold.Wifi.Count);
        Assert.Equal("WPA3-Personal", gold.Wifi[1].SecurityMode);
        Assert.Equal("5551234", gold.VoipLines[0].DirectoryNumber);
        Assert.Equal(300u, gold.Vlans.IptvVlan);
        Assert.Equal(300u, gold.PeriodicInformInterval);
        Assert.Equal("pool.ntp.org", gold.ExtraParameters["Time.NTPServer1"]);
    }

    [Fact]
    public void Json_plans_in_a_plans_object_with_either_field_naming()
    {
        const string json = """
            {
              "plans": [
                { "name": "gold", "dataEnabled": true, "wifi": [ { "band": "5GHz", "ssid": "x", "key": "12345678", "enabled": true } ] },
                { "name": "silver", "data_enabled": true, "periodic_inform_interval": 600 }
              ]
            }
            """;
        var (plans, problems) = ServicePlanFile.Parse(json, isJson: true);
        Assert.Empty(problems);
        Assert.Equal(["gold", "silver"], plans.Select(p => p.Plan.Name));
        Assert.Equal(600u, plans[1].Plan.PeriodicInformInterval);
    }

    [Fact]
    public void Bad_plans_are_named_by_the_line_they_start_on()
    {
        const string yaml = """
            - name: ok
              data_enabled: true
            - name: bad-wifi
              wifi:
                - { band: 4GHz, ssid: x, key: short }
            - name: ok
            - name: typo
              data_enabeld: true
            """;
        var (plans, problems) = ServicePlanFile.Parse(yaml, isJson: false);
        Assert.Equal([3, 6, 7], problems.Select(p => p.Line));
        Assert.Contains("wifi band '4GHz' must be one of 2.4GHz, 5GHz, 6GHz", problems[0].Message);
        Assert.Contains("key must be a WPA passphrase of 8 to 63 printable ASCII characters", problems[0].Message);
        Assert.Contains("plan 'ok' is already defined on line 1", problems[1].Message);
        Assert.Contains("data_enabeld", problems[2].Message);
        // The Wi-Fi key is a secret: a problem names the field, never its value.
        Assert.DoesNotContain("short", problems[0].Message);
        Assert.Single(plans);
    }

    [Fact]
    public void Json_line_numbers_point_at_each_plan()
    {
        const string json = "[\n  {\"name\": \"a\"},\n\n  {\"name\": \"\"}\n]";
        var (_, problems) = ServicePlanFile.Parse(json, isJson: true);
        Assert.Equal(4, Assert.Single(problems).Line);
    }

    [Fact]
    public void Malformed_files_give_one_problem_with_a_line()
    {
        var (_, yaml) = ServicePlanFile.Parse("- name: a\n  wifi: [ {band: 5GHz\n", isJson: false);
        Assert.Single(yaml);
        Assert.StartsWith("not valid YAML", yaml[0].Message);

        var (_, json) = ServicePlanFile.Parse("[{\"name\": \"a\",}\n{", isJson: true);
        Assert.Single(json);
        Assert.StartsWith("not valid JSON", json[0].Message);

        var (_, shape) = ServicePlanFile.Parse("name: a\n", isJson: false);
        Assert.Contains("expected a list of plans", Assert.Single(shape).Message);
    }

    [Fact]
    public void An_open_network_needs_no_key_and_a_personal_one_does()
    {
        const string yaml = """
            - name: guest
              wifi:
                - { band: 2.4GHz, ssid: Guest, security_mode: None }
            - name: home
              wifi:
                - { band: 2.4GHz, ssid: Home, security_mode: WPA2-Personal }
            - name: odd
              wifi:
                - { band: 5GHz, ssid: Odd, security_mode: WEP-Whatever, key: 12345678 }
            """;
        var (plans, problems) = ServicePlanFile.Parse(yaml, isJson: false);
        Assert.Equal(["guest"], plans.Select(p => p.Plan.Name));
        Assert.Equal([4, 7], problems.Select(p => p.Line));
        Assert.Contains("key must be a WPA passphrase", problems[0].Message);
        Assert.Contains("security_mode 'WEP-Whatever' must be one of None, ", problems[1].Message);
    }

    [Fact]
    public void Model_profiles_travel_with_the_plans_and_a_bare_list_holds_plans_only()
    {
        const string yaml = """
            plans:
              - name: gold
                data_enabled: true
            model_profiles:
              - name: vx98
                manufacturer: Vendor-X
                model: VX-98
                mappings:
                  - { from: "A.{i}.Key", to: "A.{i}.PreSharedKey" }
                omit: [ "InternetGatewayDevice.Layer2Bridging." ]
              - name: broken
                manufacturer: Vendor-X
                mappings:
                  - { from: "A.", to: "B" }
            """;
        var (plans, problems) = ServicePlanFile.Parse(yaml, isJson: false);
        Assert.Empty(problems);
        Assert.Equal(["gold"], plans.Select(p => p.Plan.Name));
        var (profiles, profileProblems) = ServicePlanFile.ParseModelProfiles(yaml, isJson: false);
        Assert.Equal(["vx98"], profiles.Select(p => p.Profile.Name));
        Assert.Equal("A.{i}.PreSharedKey", profiles[0].Profile.Mappings[0].To);
        var problem = Assert.Single(profileProblems);
        Assert.Equal(11, problem.Line);
        Assert.Contains("model is empty", problem.Message);

        Assert.Empty(ServicePlanFile.ParseModelProfiles("- name: gold\n", isJson: false).Profiles);
        var json = """{ "model_profiles": [ { "name": "j", "manufacturer": "M", "model": "X", "omit": ["A."] } ] }""";
        Assert.Equal(["j"], ServicePlanFile.ParseModelProfiles(json, isJson: true).Profiles.Select(p => p.Profile.Name));
        Assert.Empty(ServicePlanFile.Parse(json, isJson: true).Plans);
        Assert.Empty(ServicePlanFile.Parse(json, isJson: true).Problems);
    }
}
