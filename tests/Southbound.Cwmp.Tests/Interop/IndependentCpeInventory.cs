using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Southbound.Cwmp.Tests.EndToEnd;

namespace Provisioning.Southbound.Cwmp.Tests.Interop;

/// <summary>
/// An independent CPE as the interop tests register it (an operator's inventory row with its CWMP and Connection
/// Request credentials) and the credentials it starts with: the factory one, or its own when a test says so.
/// </summary>
internal static class IndependentCpeInventory
{
    public static DeviceRef Identity(string serial, string oui, string productClass) =>
        new() { SerialNumber = serial, Oui = oui, ProductClass = productClass, Protocol = DeviceProtocol.Cwmp };

    public static async Task RegisterAsync(CwmpSystemFixture fixture, DeviceRef identity, ServicePlan plan)
    {
        var serial = identity.SerialNumber;
        await fixture.System.Inventory.UpsertServicePlanAsync(new UpsertServicePlanRequest { Plan = plan });
        await fixture.System.Inventory.UpsertDeviceAsync(new UpsertDeviceRequest
        {
            Device = new Device
            {
                Identity = identity,
                CustomerId = "C-" + serial,
                ServicePlan = plan.Name,
                LocationId = "LOC-1",
                CwmpUsername = "cpe-" + serial,
                CwmpPassword = "pw-" + serial,
                ConnectionRequestUsername = "cr-" + serial,
                ConnectionRequestPassword = "crpw-" + serial,
            },
        });
    }

    /// <summary>cwmp_cpe.py's identity and credential flags; <paramref name="own"/>: the inventory's credential instead of the factory one.</summary>
    public static string[] Arguments(Uri acsUrl, DeviceRef identity, bool own)
    {
        var serial = identity.SerialNumber;
        return
        [
            "--acs-url", acsUrl.ToString(), "--serial", serial, "--oui", identity.Oui, "--product-class", identity.ProductClass,
            "--username", own ? "cpe-" + serial : "bootstrap", "--password", own ? "pw-" + serial : "bootstrap",
            "--cr-username", "cr-" + serial, "--cr-password", "crpw-" + serial,
        ];
    }
}
