using Microsoft.Extensions.Options;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>One options convention: Workflow__AuthenticateTimeout=10 meant ten days and started; now it fails the start naming the key.</summary>
public sealed class WorkflowSettingsTests
{
    [Theory]
    [InlineData("Workflow:AuthenticateTimeout", "10")]
    [InlineData("Workflow:MaxConcurrentWorkflows", "0")]
    [InlineData("Workflow:UpgradeFirmwareTimeout", "03:00:00")]
    [InlineData("Devices:ContactRecordWindow", "00:00:00")]
    public async Task An_out_of_range_setting_fails_the_start_naming_its_key(string key, string value)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var system = await SystemUnderTest.StartAsync(new Dictionary<string, string?> { ["Orchestrator:HostAdapters"] = "false", [key] = value });
        });
        Assert.Contains(key + ":", failure.Message);
    }
}
