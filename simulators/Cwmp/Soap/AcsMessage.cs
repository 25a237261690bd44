namespace Provisioning.Simulators.Cwmp.Soap;

/// <summary>A message from the ACS as the simulated CPE sees it: a method with its scalar fields and arrays.</summary>
public sealed class AcsMessage
{
    public string Method { get; set; } = "";
    public string? Id { get; set; }
    public string? UseCwmpVersion { get; set; }
    public string CwmpNamespace { get; set; } = "";
    /// <summary>Scalar children of the method element (ParameterKey, CommandKey, ObjectName, Status…).</summary>
    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);
    /// <summary>Items of a ParameterValueStruct array (SetParameterValues, GetParameterValuesResponse…).</summary>
    public List<(string Name, string Value, string? Type)> ParameterValues { get; } = [];
    /// <summary>Items of a string array (ParameterNames) or the names of struct items without a value.</summary>
    public List<string> Strings { get; } = [];
    public uint FaultCode { get; set; }
    public string FaultString { get; set; } = "";

    public string Field(string name) => Fields.GetValueOrDefault(name) ?? "";
}
