using Google.Protobuf;
using Provisioning.Usp.Messages;
using Provisioning.Usp.Records;

namespace Provisioning.Southbound.Usp.Records;

/// <summary>Decodes and encodes USP Records and the Msg they carry; every decoding failure is a <see cref="UspRecordException"/>.</summary>
internal static class RecordCodec
{
    public const string UspVersion = "1.3";

    public static Record ParseRecord(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) throw new UspRecordException("empty USP record");
        Record record;
        try
        {
            record = Record.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new UspRecordException($"unparseable USP record: {ex.Message}", ex);
        }
        if (record.RecordTypeCase == Record.RecordTypeOneofCase.None)
            throw new UspRecordException("USP record without a record type");
        return record;
    }

    public static Msg ParseMsg(ByteString payload)
    {
        if (payload.IsEmpty) throw new UspRecordException("USP record without a payload");
        Msg msg;
        try
        {
            msg = Msg.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new UspRecordException($"unparseable USP message: {ex.Message}", ex);
        }
        if (msg.Header is null || msg.Body is null || msg.Body.MsgBodyCase == Body.MsgBodyOneofCase.None)
            throw new UspRecordException("USP message without header or body");
        return msg;
    }

    public static byte[] EncodeMsg(string fromId, string toId, Msg msg) => new Record
    {
        Version = UspVersion,
        FromId = fromId,
        ToId = toId,
        NoSessionContext = new NoSessionContextRecord { Payload = msg.ToByteString() },
    }.ToByteArray();

    public static byte[] EncodeDisconnect(string fromId, string toId, string reason, uint code) => new Record
    {
        Version = UspVersion,
        FromId = fromId,
        ToId = toId,
        Disconnect = new DisconnectRecord { Reason = reason, ReasonCode = code },
    }.ToByteArray();
}
