using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Domain ↔ wire for inventory and plans. Passwords and keys are write-only: reads never return them.</summary>
public static class InventoryMapping
{
    public static Device ToWire(this DeviceRecord d) => new()
    {
        Identity = new Contracts.Common.DeviceRef { SerialNumber = d.Id, Oui = d.Oui, ProductClass = d.ProductClass, Protocol = d.Protocol, EndpointId = d.EndpointId },
        CustomerId = d.CustomerId,
        ServicePlan = d.ServicePlan,
        LocationId = d.LocationId,
        CwmpUsername = d.CwmpUsername,
        HasCwmpPassword = d.CwmpPassword.Length > 0,
        ConnectionRequestUsername = d.ConnectionRequestUsername,
        HasConnectionRequestPassword = d.ConnectionRequestPassword.Length > 0,
        Provisioned = d.Provisioned,
        BootstrapUsername = d.BootstrapUsername,
        HasBootstrapPassword = d.BootstrapPassword.Length > 0,
        HasAgentSecret = d.AgentSecretSha256.Length > 0,
    };

    /// <summary>A read of the device with where its credential stands (CWMP life cycle).</summary>
    public static Device ToWire(this DeviceRecord d, DeviceCredential? credential)
    {
        var device = d.ToWire();
        device.CredentialState = CredentialLifecycle.StateOf(d, credential);
        return device;
    }

    /// <summary>An update that leaves a password empty keeps the stored one.</summary>
    public static DeviceRecord ToRecord(this Device d, DeviceRecord? existing) => new()
    {
        Id = d.Identity.SerialNumber.Trim(),
        Oui = d.Identity.Oui.ToUpperInvariant(),
        ProductClass = d.Identity.ProductClass,
        Protocol = d.Identity.Protocol,
        EndpointId = d.Identity.EndpointId,
        CustomerId = d.CustomerId,
        ServicePlan = d.ServicePlan,
        LocationId = d.LocationId,
        CwmpUsername = d.CwmpUsername,
        CwmpPassword = d.CwmpPassword.Length > 0 ? d.CwmpPassword : existing?.CwmpPassword ?? "",
        CwmpPasswordProtected = d.CwmpPassword.Length > 0 ? "" : existing?.CwmpPasswordProtected ?? "",
        ConnectionRequestUsername = d.ConnectionRequestUsername,
        ConnectionRequestPassword = d.ConnectionRequestPassword.Length > 0 ? d.ConnectionRequestPassword : existing?.ConnectionRequestPassword ?? "",
        // Kept unless the request brings new ones (DeviceSecrets.Seal turns those into their verifiers).
        BootstrapUsername = existing?.BootstrapUsername ?? "",
        BootstrapPassword = existing?.BootstrapPassword ?? "",
        AgentSecretSha256 = existing?.AgentSecretSha256 ?? "",
        AgentSecretSalt = existing?.AgentSecretSalt ?? "",
        AgentBrokerPasswordHash = existing?.AgentBrokerPasswordHash ?? "",
        Provisioned = existing?.Provisioned ?? false,
        ProvisionedAt = existing?.ProvisionedAt,
    };

    public static ServicePlan ToWire(this ServicePlanDocument p)
    {
        var plan = new ServicePlan
        {
            Name = p.Id,
            Description = p.Description,
            DataEnabled = p.DataEnabled,
            IptvEnabled = p.IptvEnabled,
            Vlans = new Vlans { DataVlan = p.DataVlan, VoipVlan = p.VoipVlan, IptvVlan = p.IptvVlan },
            PeriodicInformInterval = p.PeriodicInformInterval,
        };
        // Keys and SIP passwords stay out of reads.
        plan.Wifi.AddRange(p.Wifi.Select(w => new WifiNetwork { Band = w.Band, Ssid = w.Ssid, SecurityMode = w.SecurityMode, Enabled = w.Enabled }));
        plan.VoipLines.AddRange(p.VoipLines.Select(l => new VoipLine { Line = l.Line, DirectoryNumber = l.DirectoryNumber, SipUsername = l.SipUsername, Registrar = l.Registrar }));
        foreach (var (name, value) in p.ExtraParameters) plan.ExtraParameters[name] = value;
        return plan;
    }

    public static ServicePlanDocument ToDocument(this ServicePlan p) => new()
    {
        Id = p.Name.Trim(),
        Description = p.Description,
        DataEnabled = p.DataEnabled,
        IptvEnabled = p.IptvEnabled,
        DataVlan = p.Vlans?.DataVlan ?? 0,
        VoipVlan = p.Vlans?.VoipVlan ?? 0,
        IptvVlan = p.Vlans?.IptvVlan ?? 0,
        PeriodicInformInterval = p.PeriodicInformInterval,
        Wifi = p.Wifi.Select(w => new WifiNetworkSpec(w.Band, w.Ssid, w.Key, w.SecurityMode, w.Enabled)).ToList(),
        VoipLines = p.VoipLines.Select(l => new VoipLineSpec(l.Line, l.DirectoryNumber, l.SipUsername, l.SipPassword, l.Registrar)).ToList(),
        ExtraParameters = new Dictionary<string, string>(p.ExtraParameters),
    };
}
