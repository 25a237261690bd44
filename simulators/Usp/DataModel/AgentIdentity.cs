namespace Provisioning.Simulators.Usp.DataModel;

/// <summary>Who a simulated agent is: its endpoint ID (os::&lt;OUI&gt;-&lt;Serial&gt; by default) and DeviceInfo.</summary>
public sealed record AgentIdentity(
    string SerialNumber,
    string Oui = "00D09E",
    string ProductClass = "HGW-USP",
    string Manufacturer = "Simulated Networks",
    string ModelName = "USP-Gateway-1",
    string SoftwareVersion = "2.4.1",
    string HardwareVersion = "rev-b",
    string? EndpointIdOverride = null)
{
    public string EndpointId => EndpointIdOverride ?? $"os::{Oui}-{SerialNumber}";
}
