using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>What a plan's Wi-Fi security becomes on the device.</summary>
public sealed class ProfileRenderingTests
{
    private static ServicePlanDocument Plan(string mode, string key) => new()
    {
        Id = "p",
        Wifi = [new WifiNetworkSpec("2.4GHz", "Net", key, mode, true)],
    };

    [Theory]
    [InlineData("None")]
    [InlineData("WPA2-Enterprise")]
    public void A_network_without_a_passphrase_gets_no_KeyPassphrase(string mode)
    {
        var names = ProfileRenderer.Render(Plan(mode, ""), ProfileRenderer.Tr181Root, DeviceProtocol.Usp).Parameters.Select(p => p.Name).ToList();

        Assert.Contains("Device.WiFi.AccessPoint.1.Security.ModeEnabled", names);
        Assert.DoesNotContain("Device.WiFi.AccessPoint.1.Security.KeyPassphrase", names);
    }

    [Theory]
    [InlineData("", "WPA2-Personal")]
    [InlineData("wpa3-personal", "WPA3-Personal")]
    public void A_personal_network_gets_its_passphrase_and_the_canonical_mode(string mode, string pushed)
    {
        var parameters = ProfileRenderer.Render(Plan(mode, "secret-key-1"), ProfileRenderer.Tr181Root, DeviceProtocol.Cwmp).Parameters;

        Assert.Equal(pushed, parameters.Single(p => p.Name == "Device.WiFi.AccessPoint.1.Security.ModeEnabled").Value);
        var key = parameters.Single(p => p.Name == "Device.WiFi.AccessPoint.1.Security.KeyPassphrase");
        Assert.True(key.Secret);
        Assert.Equal("secret-key-1", key.Value);
    }
}
