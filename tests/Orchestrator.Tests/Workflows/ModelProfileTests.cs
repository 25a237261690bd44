using Grpc.Core;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Tests.Southbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>A vendor data model that differs from the plan's paths, described once per model and applied to every push.</summary>
[Collection(nameof(OrchestratorCollection))]
public sealed class ModelProfileTests(OrchestratorFixture fixture)
{
    private const string Wlan = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.";

    private static ModelProfile VendorTr098(string manufacturer) => new()
    {
        Name = "vx98-" + manufacturer.ToLowerInvariant(),
        Manufacturer = manufacturer,
        Model = "VX-98",
        Mappings = { new ParameterMapping { From = Wlan + "{i}.PreSharedKey.1.KeyPassphrase", To = Wlan + "{i}.PreSharedKey.1.PreSharedKey" } },
        Omit = { "InternetGatewayDevice.Layer2Bridging." },
    };

    [Fact]
    public async Task The_key_goes_where_the_model_keeps_it_masked_and_what_it_lacks_is_left_out()
    {
        var manufacturer = "Vendor" + Guid.NewGuid().ToString("N")[..6];
        await fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest { Profile = VendorTr098(manufacturer) });
        var script = new DeviceScript { Manufacturer = manufacturer, Model = "VX-98", DataModelRoot = "InternetGatewayDevice." };
        var serial = await fixture.RegisterAsync(script);

        var workflow = await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(serial)).Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.Equal(("wifi-secret-24", true), script.Values[Wlan + "1.PreSharedKey.1.PreSharedKey"]);
        Assert.False(script.Values.ContainsKey(Wlan + "1.PreSharedKey.1.KeyPassphrase"));
        Assert.DoesNotContain(script.Values.Keys, k => k.StartsWith("InternetGatewayDevice.Layer2Bridging.", StringComparison.Ordinal));
        var pushed = (await fixture.System.EventsAsync(workflow.WorkflowId)).Single(e => e.ConfigPushed is not null).ConfigPushed;
        var key = Assert.Single(pushed.Parameters, p => p.Name == Wlan + "1.PreSharedKey.1.PreSharedKey");
        Assert.True(key.Secret);
        Assert.Equal("********", key.Value);
    }

    [Fact]
    public async Task Another_manufacturers_device_of_the_same_model_name_keeps_the_plan_paths()
    {
        var manufacturer = "Vendor" + Guid.NewGuid().ToString("N")[..6];
        await fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest { Profile = VendorTr098(manufacturer) });
        var script = new DeviceScript { Manufacturer = "Someone-Else", Model = "VX-98", DataModelRoot = "InternetGatewayDevice." };
        var serial = await fixture.RegisterAsync(script);

        var workflow = await fixture.System.WaitForTerminalAsync((await fixture.ProvisionAsync(serial)).Workflow.WorkflowId);

        Assert.Equal(WorkflowResult.Success, workflow.Result);
        Assert.True(script.Values.ContainsKey(Wlan + "1.PreSharedKey.1.KeyPassphrase"));
        Assert.Contains(script.Values.Keys, k => k.StartsWith("InternetGatewayDevice.Layer2Bridging.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../../etc", "x.y")]
    [InlineData("A.{i}.B", "A.C")]
    [InlineData("A.{i}.", "A.B")]
    public async Task A_profile_whose_paths_do_not_fit_the_grammar_is_refused(string from, string to)
    {
        var profile = new ModelProfile { Name = "bad-" + Guid.NewGuid().ToString("N")[..6], Manufacturer = "M", Model = "X", Mappings = { new ParameterMapping { From = from, To = to } } };

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.System.Inventory.UpsertModelProfileAsync(new UpsertModelProfileRequest { Profile = profile }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("profile.mappings[0]", error.Status.Detail);
        var all = await fixture.System.Inventory.ListModelProfilesAsync(new ListModelProfilesRequest());
        Assert.DoesNotContain(all.Profiles, p => p.Name == profile.Name);
    }
}
