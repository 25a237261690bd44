namespace Provisioning.Southbound.Cwmp.Methods;

// CPE methods (TR-069 A.3.2): the requests the CPE handles (the ACS sends them) and the CPE's responses to them.

public sealed record GetParameterNames(string ParameterPath, bool NextLevel) : CwmpMessage
{
    public override string MethodName => "GetParameterNames";
}

public sealed record GetParameterNamesResponse(IReadOnlyList<ParameterInfoStruct> ParameterList) : CwmpMessage
{
    public override string MethodName => "GetParameterNamesResponse";
}

public sealed record GetParameterValues(IReadOnlyList<string> ParameterNames) : CwmpMessage
{
    public override string MethodName => "GetParameterValues";
}

public sealed record GetParameterValuesResponse(IReadOnlyList<ParameterValueStruct> ParameterList) : CwmpMessage
{
    public override string MethodName => "GetParameterValuesResponse";
}

public sealed record SetParameterValues(IReadOnlyList<ParameterValueStruct> ParameterList, string ParameterKey) : CwmpMessage
{
    public override string MethodName => "SetParameterValues";

    // Values may be secrets (Wi-Fi keys, SIP passwords): the generated ToString must not print them.
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("ParameterKey = ").Append(ParameterKey).Append(", Count = ").Append(ParameterList.Count);
        return true;
    }
}

/// <summary>Status 0: applied; 1: applied and committed only after a reboot.</summary>
public sealed record SetParameterValuesResponse(int Status) : CwmpMessage
{
    public override string MethodName => "SetParameterValuesResponse";
}

public sealed record GetParameterAttributes(IReadOnlyList<string> ParameterNames) : CwmpMessage
{
    public override string MethodName => "GetParameterAttributes";
}

public sealed record GetParameterAttributesResponse(IReadOnlyList<ParameterAttributeStruct> ParameterList) : CwmpMessage
{
    public override string MethodName => "GetParameterAttributesResponse";
}

public sealed record SetParameterAttributes(IReadOnlyList<SetParameterAttributesStruct> ParameterList) : CwmpMessage
{
    public override string MethodName => "SetParameterAttributes";
}

public sealed record SetParameterAttributesResponse : CwmpMessage
{
    public override string MethodName => "SetParameterAttributesResponse";
}

public sealed record AddObject(string ObjectName, string ParameterKey) : CwmpMessage
{
    public override string MethodName => "AddObject";
}

public sealed record AddObjectResponse(uint InstanceNumber, int Status) : CwmpMessage
{
    public override string MethodName => "AddObjectResponse";
}

public sealed record DeleteObject(string ObjectName, string ParameterKey) : CwmpMessage
{
    public override string MethodName => "DeleteObject";
}

public sealed record DeleteObjectResponse(int Status) : CwmpMessage
{
    public override string MethodName => "DeleteObjectResponse";
}

public sealed record Reboot(string CommandKey) : CwmpMessage
{
    public override string MethodName => "Reboot";
}

public sealed record RebootResponse : CwmpMessage
{
    public override string MethodName => "RebootResponse";
}

public sealed record FactoryReset : CwmpMessage
{
    public override string MethodName => "FactoryReset";
}

public sealed record FactoryResetResponse : CwmpMessage
{
    public override string MethodName => "FactoryResetResponse";
}

public sealed record Download(
    string CommandKey, string FileType, string Url, string Username, string Password, ulong FileSize,
    string TargetFileName, uint DelaySeconds = 0, string SuccessUrl = "", string FailureUrl = "") : CwmpMessage
{
    public override string MethodName => "Download";

    // The password must never reach a log through the record's generated ToString.
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("CommandKey = ").Append(CommandKey).Append(", FileType = ").Append(FileType).Append(", Url = ").Append(Url);
        return true;
    }
}

/// <summary>Status 0: transfer completed; 1: not yet completed (a TransferComplete follows).</summary>
public sealed record DownloadResponse(int Status, string StartTime, string CompleteTime) : CwmpMessage
{
    public override string MethodName => "DownloadResponse";
}

public sealed record Upload(string CommandKey, string FileType, string Url, string Username, string Password, uint DelaySeconds = 0) : CwmpMessage
{
    public override string MethodName => "Upload";

    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("CommandKey = ").Append(CommandKey).Append(", FileType = ").Append(FileType).Append(", Url = ").Append(Url);
        return true;
    }
}

public sealed record UploadResponse(int Status, string StartTime, string CompleteTime) : CwmpMessage
{
    public override string MethodName => "UploadResponse";
}

public sealed record ScheduleInform(uint DelaySeconds, string CommandKey) : CwmpMessage
{
    public override string MethodName => "ScheduleInform";
}

public sealed record ScheduleInformResponse : CwmpMessage
{
    public override string MethodName => "ScheduleInformResponse";
}
