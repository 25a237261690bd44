using Google.Protobuf;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Usp.Messages;
using Provisioning.Usp.Records;
using Record = Provisioning.Usp.Records.Record;

namespace Provisioning.Southbound.Usp.Tests.Protocol;

public sealed class RecordCodecTests
{
    private static Record RoundTrip(Record record) => RecordCodec.ParseRecord(record.ToByteArray());

    [Fact]
    public void Every_record_type_survives_a_round_trip()
    {
        Record Base() => new() { Version = "1.3", ToId = "self::controller", FromId = "os::00D09E-SN1", PayloadSecurity = Record.Types.PayloadSecurity.Plaintext, MacSignature = ByteString.CopyFromUtf8("mac"), SenderCert = ByteString.CopyFromUtf8("cert") };
        var records = new[]
        {
            Base().With(r => r.NoSessionContext = new NoSessionContextRecord { Payload = ByteString.CopyFrom(1, 2, 3) }),
            Base().With(r => r.SessionContext = new SessionContextRecord { SessionId = 7, SequenceId = 2, ExpectedId = 3, RetransmitId = 1, PayloadSarState = SessionContextRecord.Types.PayloadSARState.Begin, Payload = { ByteString.CopyFromUtf8("x") } }),
            Base().With(r => r.WebsocketConnect = new WebSocketConnectRecord()),
            Base().With(r => r.MqttConnect = new MQTTConnectRecord { Version = MQTTConnectRecord.Types.MQTTVersion.V5, SubscribedTopic = "usp/agent/x" }),
            Base().With(r => r.StompConnect = new STOMPConnectRecord { Version = STOMPConnectRecord.Types.STOMPVersion.V12, SubscribedDestination = "/usp/agent" }),
            Base().With(r => r.Disconnect = new DisconnectRecord { Reason = "bye", ReasonCode = 7103 }),
            Base().With(r => r.UdsConnect = new UDSConnectRecord()),
        };
        foreach (var record in records) Assert.Equal(record, RoundTrip(record));
    }

    [Theory]
    // Field numbers from TR-369: the tag byte is (field << 3) | wire type 2 (length-delimited).
    [InlineData("no_session_context", 7, 0x3A)]
    [InlineData("websocket_connect", 9, 0x4A)]
    [InlineData("mqtt_connect", 10, 0x52)]
    [InlineData("disconnect", 12, 0x62)]
    [InlineData("uds_connect", 13, 0x6A)]
    public void Record_types_use_the_specification_field_numbers(string type, int field, byte tag)
    {
        var record = new Record();
        switch (type)
        {
            case "no_session_context": record.NoSessionContext = new NoSessionContextRecord(); break;
            case "websocket_connect": record.WebsocketConnect = new WebSocketConnectRecord(); break;
            case "mqtt_connect": record.MqttConnect = new MQTTConnectRecord(); break;
            case "disconnect": record.Disconnect = new DisconnectRecord(); break;
            case "uds_connect": record.UdsConnect = new UDSConnectRecord(); break;
        }
        var bytes = record.ToByteArray();
        Assert.Equal(tag, bytes[0]);
        Assert.Equal(field, bytes[0] >> 3);
    }

    [Fact]
    public void Header_and_error_fields_match_the_specification_encoding()
    {
        var msg = new Msg
        {
            Header = new Header { MsgId = "a", MsgType = Header.Types.MsgType.GetSupportedProto },
            Body = new Body { Error = new Error { ErrCode = 7004 } },
        };
        var bytes = msg.ToByteArray();
        // Msg.header (1) { msg_id (1) "a", msg_type (2) varint 17 }, Msg.body (2) { error (3) { err_code (1) fixed32 7004 } }
        Assert.Equal(new byte[] { 0x0A, 0x05, 0x0A, 0x01, (byte)'a', 0x10, 17, 0x12, 0x07, 0x1A, 0x05, 0x0D, 0x5C, 0x1B, 0x00, 0x00 }, bytes);
    }

    [Fact]
    public void Every_message_type_survives_a_round_trip()
    {
        var requests = new Request[]
        {
            new() { Get = new Get { ParamPaths = { "Device.DeviceInfo." }, MaxDepth = 2 } },
            new() { Set = new Set { AllowPartial = false, UpdateObjs = { new Set.Types.UpdateObject { ObjPath = "Device.WiFi.SSID.1.", ParamSettings = { new Set.Types.UpdateParamSetting { Param = "SSID", Value = "home", Required = true } } } } } },
            new() { Add = new Add { CreateObjs = { new Add.Types.CreateObject { ObjPath = "Device.LocalAgent.Subscription.", ParamSettings = { new Add.Types.CreateParamSetting { Param = "ID", Value = "boot" } } } } } },
            new() { Delete = new Delete { ObjPaths = { "Device.X.1." } } },
            new() { Operate = new Operate { Command = "Device.Reboot()", CommandKey = "k", SendResp = true, InputArgs = { ["a"] = "b" } } },
            new() { GetSupportedDm = new GetSupportedDM { ObjPaths = { "Device." }, ReturnParams = true } },
            new() { GetInstances = new GetInstances { ObjPaths = { "Device.WiFi.SSID." }, FirstLevelOnly = true } },
            new() { GetSupportedProtocol = new GetSupportedProtocol { ControllerSupportedProtocolVersions = "1.3" } },
            new() { Register = new Register { RegPaths = { new Register.Types.RegistrationPath { Path = "Device.X." } } } },
            new() { Deregister = new Deregister { Paths = { "Device.X." } } },
            new() { Notify = new Notify { SubscriptionId = "s", SendResp = true, Event = new Notify.Types.Event { ObjPath = "Device.", EventName = "Boot!", Params = { ["Cause"] = "LocalReboot" } } } },
            new() { Notify = new Notify { ValueChange = new Notify.Types.ValueChange { ParamPath = "Device.X", ParamValue = "1" } } },
            new() { Notify = new Notify { ObjCreation = new Notify.Types.ObjectCreation { ObjPath = "Device.X.2.", UniqueKeys = { ["Alias"] = "a" } } } },
            new() { Notify = new Notify { ObjDeletion = new Notify.Types.ObjectDeletion { ObjPath = "Device.X.2." } } },
            new() { Notify = new Notify { OperComplete = new Notify.Types.OperationComplete { CommandName = "Download()", CommandKey = "k", CmdFailure = new Notify.Types.OperationComplete.Types.CommandFailure { ErrCode = 7022 } } } },
            new() { Notify = new Notify { OnBoardReq = new Notify.Types.OnBoardRequest { Oui = "00D09E", ProductClass = "HGW", SerialNumber = "SN", AgentSupportedProtocolVersions = "1.3" } } },
        };
        foreach (var request in requests)
        {
            var msg = new Msg { Header = new Header { MsgId = "1", MsgType = Header.Types.MsgType.Get }, Body = new Body { Request = request } };
            Assert.Equal(msg, RecordCodec.ParseMsg(msg.ToByteString()));
        }

        var responses = new Response[]
        {
            new() { GetResp = new GetResp { ReqPathResults = { new GetResp.Types.RequestedPathResult { RequestedPath = "Device.", ResolvedPathResults = { new GetResp.Types.ResolvedPathResult { ResolvedPath = "Device.DeviceInfo.", ResultParams = { ["SerialNumber"] = "SN" } } } } } } },
            new() { SetResp = new SetResp { UpdatedObjResults = { new SetResp.Types.UpdatedObjectResult { RequestedPath = "Device.X.", OperStatus = new() { OperFailure = new() { ErrCode = 7012, UpdatedInstFailures = { new SetResp.Types.UpdatedInstanceFailure { AffectedPath = "Device.X.1.", ParamErrs = { new SetResp.Types.ParameterError { Param = "A", ErrCode = 7012 } } } } } } } } } },
            new() { AddResp = new AddResp { CreatedObjResults = { new AddResp.Types.CreatedObjectResult { RequestedPath = "Device.X.", OperStatus = new() { OperSuccess = new() { InstantiatedPath = "Device.X.4." } } } } } },
            new() { DeleteResp = new DeleteResp { DeletedObjResults = { new DeleteResp.Types.DeletedObjectResult { RequestedPath = "Device.X.4.", OperStatus = new() { OperSuccess = new() { AffectedPaths = { "Device.X.4." } } } } } } },
            new() { OperateResp = new OperateResp { OperationResults = { new OperateResp.Types.OperationResult { ExecutedCommand = "Device.Reboot()", ReqObjPath = "Device.LocalAgent.Request.1." } } } },
            new() { NotifyResp = new NotifyResp { SubscriptionId = "s" } },
            new() { GetSupportedDmResp = new GetSupportedDMResp { ReqObjResults = { new GetSupportedDMResp.Types.RequestedObjectResult { ReqObjPath = "Device.", SupportedObjs = { new GetSupportedDMResp.Types.SupportedObjectResult { SupportedObjPath = "Device.WiFi.SSID.{i}.", IsMultiInstance = true } } } } } },
            new() { GetInstancesResp = new GetInstancesResp { ReqPathResults = { new GetInstancesResp.Types.RequestedPathResult { RequestedPath = "Device.WiFi.SSID.", CurrInsts = { new GetInstancesResp.Types.CurrInstance { InstantiatedObjPath = "Device.WiFi.SSID.1." } } } } } },
            new() { GetSupportedProtocolResp = new GetSupportedProtocolResp { AgentSupportedProtocolVersions = "1.3,1.4" } },
            new() { RegisterResp = new RegisterResp { RegisteredPathResults = { new RegisterResp.Types.RegisteredPathResult { RequestedPath = "Device.X.", OperStatus = new() { OperSuccess = new() { RegisteredPath = "Device.X." } } } } } },
            new() { DeregisterResp = new DeregisterResp { DeregisteredPathResults = { new DeregisterResp.Types.DeregisteredPathResult { RequestedPath = "Device.X.", OperStatus = new() { OperSuccess = new() { DeregisteredPath = { "Device.X." } } } } } } },
        };
        foreach (var response in responses)
        {
            var msg = new Msg { Header = new Header { MsgId = "1", MsgType = Header.Types.MsgType.GetResp }, Body = new Body { Response = response } };
            Assert.Equal(msg, RecordCodec.ParseMsg(msg.ToByteString()));
        }
    }

    [Fact]
    public void A_truncated_record_throws_a_record_exception()
    {
        var bytes = RecordCodec.EncodeMsg("self::c", "os::00D09E-SN", new Msg { Header = new Header { MsgId = "1" }, Body = new Body { Request = new Request { Get = new Get { ParamPaths = { "Device." } } } } });
        // The record type is the last field written, so every strict prefix lacks it or cuts it short.
        for (var length = 0; length < bytes.Length; length++)
        {
            var truncated = bytes.AsSpan(0, length).ToArray();
            Assert.Throws<UspRecordException>(() => RecordCodec.ParseRecord(truncated));
        }
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x3A, 0x10, 0x01 })]
    [InlineData(new byte[] { 0x0A, 0x03, (byte)'1', (byte)'.', (byte)'3' })]
    public void Garbage_throws_a_record_exception(byte[] bytes)
    {
        Assert.Throws<UspRecordException>(() => RecordCodec.ParseRecord(bytes));
    }

    [Fact]
    public void A_record_with_a_garbage_payload_throws_when_its_message_is_read()
    {
        var record = new Record { ToId = "a", FromId = "b", NoSessionContext = new NoSessionContextRecord { Payload = ByteString.CopyFrom(0xFF, 0xFF, 0xFF) } };
        var parsed = RecordCodec.ParseRecord(record.ToByteArray());
        Assert.Throws<UspRecordException>(() => RecordCodec.ParseMsg(parsed.NoSessionContext.Payload));
        Assert.Throws<UspRecordException>(() => RecordCodec.ParseMsg(ByteString.Empty));
    }
}

internal static class RecordExtensions
{
    public static Record With(this Record record, Action<Record> change)
    {
        change(record);
        return record;
    }
}
