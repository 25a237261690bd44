namespace Provisioning.Simulators.Usp.DataModel;

/// <summary>TR-181 value types the simulated agent checks on Set/Add.</summary>
public enum ParameterKind
{
    String,
    Boolean,
    UnsignedInt,
}
