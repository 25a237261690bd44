namespace Provisioning.Southbound.Cwmp.Methods;

// ACS methods (TR-069 A.3.3): the requests the ACS handles (the CPE sends them) and the ACS's responses to them;
// GetRPCMethods, a generic method (A.3.1), goes both ways.

/// <summary>DeviceIdStruct of an Inform.</summary>
public readonly record struct DeviceIdStruct(string Manufacturer, string Oui, string ProductClass, string SerialNumber);

/// <summary>EventStruct of an Inform ("0 BOOTSTRAP", "M Reboot", …).</summary>
public readonly record struct EventStruct(string EventCode, string CommandKey);

public sealed record Inform(
    DeviceIdStruct DeviceId,
    IReadOnlyList<EventStruct> Events,
    int MaxEnvelopes,
    string CurrentTime,
    int RetryCount,
    IReadOnlyList<ParameterValueStruct> ParameterList) : CwmpMessage
{
    public override string MethodName => "Inform";
}

public sealed record InformResponse(int MaxEnvelopes = 1) : CwmpMessage
{
    public override string MethodName => "InformResponse";
}

public sealed record TransferComplete(string CommandKey, FaultStruct Fault, string StartTime, string CompleteTime) : CwmpMessage
{
    public override string MethodName => "TransferComplete";
}

public sealed record TransferCompleteResponse : CwmpMessage
{
    public override string MethodName => "TransferCompleteResponse";
}

public sealed record AutonomousTransferComplete(
    string AnnounceUrl, string TransferUrl, bool IsDownload, string FileType, ulong FileSize,
    string TargetFileName, FaultStruct Fault, string StartTime, string CompleteTime) : CwmpMessage
{
    public override string MethodName => "AutonomousTransferComplete";
}

public sealed record AutonomousTransferCompleteResponse : CwmpMessage
{
    public override string MethodName => "AutonomousTransferCompleteResponse";
}

public sealed record RequestDownload(string FileType, IReadOnlyList<KeyValuePair<string, string>> FileTypeArg) : CwmpMessage
{
    public override string MethodName => "RequestDownload";
}

public sealed record RequestDownloadResponse : CwmpMessage
{
    public override string MethodName => "RequestDownloadResponse";
}

/// <summary>GetRPCMethods: sent in both directions (CPE to ACS and ACS to CPE).</summary>
public sealed record GetRpcMethods : CwmpMessage
{
    public override string MethodName => "GetRPCMethods";
}

public sealed record GetRpcMethodsResponse(IReadOnlyList<string> MethodList) : CwmpMessage
{
    public override string MethodName => "GetRPCMethodsResponse";
}
