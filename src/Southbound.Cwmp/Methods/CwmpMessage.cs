namespace Provisioning.Southbound.Cwmp.Methods;

/// <summary>The body of one CWMP envelope: a request, a response or a fault. Names follow TR-069 Annex A.</summary>
public abstract record CwmpMessage
{
    /// <summary>The element name in the SOAP body (e.g. "SetParameterValues").</summary>
    public abstract string MethodName { get; }
}

/// <summary>ParameterValueStruct. <see cref="Type"/> is the xsi:type ("xsd:string"…) or null when the sender omitted it.</summary>
public readonly record struct ParameterValueStruct(string Name, string Value, string? Type = null);

/// <summary>ParameterInfoStruct of GetParameterNamesResponse.</summary>
public readonly record struct ParameterInfoStruct(string Name, bool Writable);

/// <summary>ParameterAttributeStruct of GetParameterAttributesResponse.</summary>
public readonly record struct ParameterAttributeStruct(string Name, int Notification, IReadOnlyList<string> AccessList);

/// <summary>SetParameterAttributesStruct.</summary>
public readonly record struct SetParameterAttributesStruct(
    string Name, bool NotificationChange, int Notification, bool AccessListChange, IReadOnlyList<string> AccessList);

/// <summary>FaultStruct of TransferComplete (FaultCode 0 means success).</summary>
public readonly record struct FaultStruct(uint FaultCode, string FaultString);

/// <summary>SetParameterValuesFault entry of a cwmp:Fault.</summary>
public readonly record struct SetParameterValuesFault(string ParameterName, uint FaultCode, string FaultString);

/// <summary>A SOAP Fault carrying a cwmp:Fault detail (CPE codes 9000-9899, ACS codes 8000-8899).</summary>
public sealed record CwmpFault(uint FaultCode, string FaultString, IReadOnlyList<SetParameterValuesFault> ParameterFaults) : CwmpMessage
{
    public override string MethodName => "Fault";

    /// <summary>"Client" for faults caused by the request's sender, "Server" otherwise.</summary>
    public string SoapFaultCode { get; init; } = "Client";

    public static CwmpFault Acs(AcsFaultCode code, string faultString) =>
        new((uint)code, faultString, []) { SoapFaultCode = code is AcsFaultCode.InternalError or AcsFaultCode.RetryRequest ? "Server" : "Client" };
}

/// <summary>ACS fault codes (TR-069 A.5.1).</summary>
public enum AcsFaultCode : uint
{
    MethodNotSupported = 8000,
    RequestDenied = 8001,
    InternalError = 8002,
    InvalidArguments = 8003,
    ResourcesExceeded = 8004,
    RetryRequest = 8005,
    VersionIncompatible = 8006,
}
