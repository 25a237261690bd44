using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.Devices;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// What a CWMP device is told besides its service: the credential the ACS will ask of it from now on and the one it
/// must ask of the ACS's Connection Requests (ManagementServer.Username/Password, ConnectionRequestUsername/Password).
/// A CPE that bootstrapped with the factory credential would otherwise be refused once provisioned, and could not be
/// woken. Only pairs the inventory holds whole are written: a username without its password would lock the CPE out.
/// </summary>
public static class ManagementCredentials
{
    public static IEnumerable<ProfileParameter> For(DeviceRecord device, string dataModelRoot, string cwmpPassword, string connectionRequestPassword)
    {
        var server = dataModelRoot + "ManagementServer.";
        if (device.CwmpUsername.Length > 0 && cwmpPassword.Length > 0)
        {
            yield return new(server + "Username", device.CwmpUsername, ParameterType.String);
            yield return new(server + "Password", cwmpPassword, ParameterType.String, Secret: true);
        }
        if (device.ConnectionRequestUsername.Length > 0 && connectionRequestPassword.Length > 0)
        {
            yield return new(server + "ConnectionRequestUsername", device.ConnectionRequestUsername, ParameterType.String);
            yield return new(server + "ConnectionRequestPassword", connectionRequestPassword, ParameterType.String, Secret: true);
        }
    }

    /// <summary>The parameter that sets the credential the ACS asks of the CPE (its CWMP password).</summary>
    public static bool IsDevicePassword(ProfileParameter parameter) =>
        parameter.Secret && parameter.Name.EndsWith("ManagementServer.Password", StringComparison.Ordinal);
}
