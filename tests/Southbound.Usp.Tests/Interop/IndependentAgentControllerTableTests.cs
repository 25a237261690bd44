using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Usp.Tests.EndToEnd;

namespace Provisioning.Southbound.Usp.Tests.Interop;

/// <summary>
/// Issue 15.2: an agent managed by two controllers numbers its Device.LocalAgent.Controller. table itself, and this
/// controller is its entry 2. The plan's PeriodicNotifInterval goes to our entry (found by EndpointID), verify reads it
/// there, and the other controller's entry and subscriptions stay as they were.
/// </summary>
[Collection(nameof(UspSystemCollection))]
public sealed class IndependentAgentControllerTableTests(UspSystemFixture fixture)
{
    private const string OtherController = "self::other-controller";
    private const string Ours = "Device.LocalAgent.Controller.2.";

    [Theory]
    [InlineData("connect")]
    [InlineData("boot")]
    public async Task Only_our_own_controller_entry_is_written_and_verified(string greeting)
    {
        var (workflow, report) = await IndependentAgentRun.ProvisionAsync(fixture, "I2C", "second-controller-" + greeting, serial =>
            IndependentAgentProcess.Start(fixture.System.UspWebSocketUrl, fixture.System.UspControllerEndpointId,
                UspSystemFixture.Ref(serial).EndpointId, serial,
                ["--oui", "00D09E", "--product-class", "HGW-USP", "--greeting", greeting, "--other-controller", OtherController]));

        // Verify read what the push wrote: had it read the other entry (86400), the workflow would be verification_failed.
        Assert.True(workflow.Result == WorkflowResult.Success, $"{workflow}; agent {report}");
        var model = report.DataModel;
        Assert.Equal(fixture.System.UspControllerEndpointId, model[Ours + "EndpointID"]);
        Assert.Equal("3600", model[Ours + "PeriodicNotifInterval"]);
        // The other controller's settings, untouched.
        Assert.Equal(OtherController, model["Device.LocalAgent.Controller.1.EndpointID"]);
        Assert.Equal("86400", model["Device.LocalAgent.Controller.1.PeriodicNotifInterval"]);
        Assert.Equal("other-sub-1", model["Device.LocalAgent.Subscription.1.ID"]);
        Assert.Equal("Device.LocalAgent.Controller.1.", model["Device.LocalAgent.Subscription.1.Recipient"]);
        Assert.Equal("Device.Boot!,Device.LocalAgent.Periodic!", model["Device.LocalAgent.Subscription.1.ReferenceList"]);
        // Our own Boot! and Periodic! subscriptions, once each: the other controller's do not send us anything.
        Assert.Equal(1, SubscriptionsOf(model, Ours, "Device.Boot!"));
        Assert.Equal(1, SubscriptionsOf(model, Ours, "Device.LocalAgent.Periodic!"));
    }

    private static int SubscriptionsOf(IReadOnlyDictionary<string, string> model, string recipient, string reference) =>
        model.Count(p => p.Key.StartsWith("Device.LocalAgent.Subscription.", StringComparison.Ordinal) && p.Key.EndsWith(".ReferenceList", StringComparison.Ordinal)
            && p.Value.Split(',').Contains(reference) && model[p.Key[..^"ReferenceList".Length] + "Recipient"] == recipient);
}
