namespace Provisioning.Simulators.Cwmp.DataModel;

/// <summary>One parameter of a simulated CPE. Secrets (keys, passwords) read back as "" as TR-069 requires.</summary>
public sealed class SimulatedParameter(string value, string type = "xsd:string", bool writable = true, bool secret = false)
{
    public string Value { get; set; } = value;
    public string Type { get; } = type;
    public bool Writable { get; } = writable;
    public bool Secret { get; } = secret;

    public string ReadBack => Secret ? "" : Value;
}
