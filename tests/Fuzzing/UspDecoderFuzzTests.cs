using CsCheck;
using Google.Protobuf;
using Provisioning.Southbound.Usp.Records;
using Provisioning.Usp.Messages;
using Provisioning.Usp.Records;
using Record = Provisioning.Usp.Records.Record;
using Xunit.Abstractions;

namespace Provisioning.Fuzzing;

/// <summary>
/// The USP controller's Record and Msg decoder (what arrives on the WebSocket and MQTT MTPs): random bytes, mutated
/// valid records and valid records carrying mutated messages. Only <see cref="UspRecordException"/> may escape.
/// </summary>
public sealed class UspDecoderFuzzTests(ITestOutputHelper output)
{
    private static readonly Msg[] Messages =
    [
        JsonParser.Default.Parse<Msg>("""{"header":{"msgId":"boot-1","msgType":"NOTIFY"},"body":{"request":{"notify":{"subscriptionId":"boot","sendResp":true,"event":{"objPath":"Device.","eventName":"Boot!","params":{"Cause":"LocalReboot","FirmwareUpdated":"false"}}}}}}"""),
        JsonParser.Default.Parse<Msg>("""{"header":{"msgId":"get-1","msgType":"GET_RESP"},"body":{"response":{"getResp":{"reqPathResults":[{"requestedPath":"Device.WiFi.SSID.1.","resolvedPathResults":[{"resolvedPath":"Device.WiFi.SSID.1.","resultParams":{"SSID":"home","Enable":"true"}}]}]}}}}"""),
        JsonParser.Default.Parse<Msg>("""{"header":{"msgId":"get-2","msgType":"GET"},"body":{"request":{"get":{"paramPaths":["Device.DeviceInfo.","Device.WiFi."],"maxDepth":2}}}}"""),
        JsonParser.Default.Parse<Msg>("""{"header":{"msgId":"err-1","msgType":"ERROR"},"body":{"error":{"errCode":7004,"errMsg":"invalid","paramErrs":[{"paramPath":"Device.X","errCode":7012,"errMsg":"bad"}]}}}"""),
    ];

    private static readonly byte[][] Records =
    [
        .. Messages.Select(m => Wrap("proto::agent-1", m.ToByteString())),
        new Record { Version = "1.3", FromId = "proto::agent-1", ToId = "self::controller", WebsocketConnect = new WebSocketConnectRecord() }.ToByteArray(),
        new Record { Version = "1.3", FromId = "proto::agent-1", ToId = "self::controller", MqttConnect = new MQTTConnectRecord { SubscribedTopic = "usp/agent" } }.ToByteArray(),
        new Record { Version = "1.3", FromId = "proto::agent-1", ToId = "self::controller", Disconnect = new DisconnectRecord { Reason = "bye", ReasonCode = 7003 } }.ToByteArray(),
    ];

    private static byte[] Wrap(string from, ByteString payload) =>
        new Record { Version = "1.3", FromId = from, ToId = "self::controller", NoSessionContext = new NoSessionContextRecord { Payload = payload } }.ToByteArray();

    private static HostileInput Target() => new("USP decoder", e => e is UspRecordException,
        allocationBound: 16L * 1024 * 1024, perInputLimit: TimeSpan.FromSeconds(2));

    /// <summary>What the controller does with bytes from an MTP: the Record, then the Msg it carries.</summary>
    private static void Decode(byte[] bytes)
    {
        var record = RecordCodec.ParseRecord(bytes);
        if (record.RecordTypeCase == Record.RecordTypeOneofCase.NoSessionContext)
            RecordCodec.ParseMsg(record.NoSessionContext.Payload);
        if (record.RecordTypeCase == Record.RecordTypeOneofCase.SessionContext)
            foreach (var payload in record.SessionContext.Payload) RecordCodec.ParseMsg(payload);
    }

    private static string Describe(byte[] bytes) => $"{bytes.Length} bytes: {Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 200))}";

    [Fact]
    public void Random_bytes_are_decoded_or_rejected_with_a_record_error()
    {
        var target = Target();
        var inputs = FuzzBudget.Of(15_000);
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            Gen.Byte.Array[0, 512].Sample(bytes => target.Check(bytes, Decode, Describe), iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} random inputs, {target.Rejected} rejected");
        Assert.True(target.Rejected > target.Inputs / 2);
    }

    [Fact]
    public void Mutated_records_are_decoded_or_rejected_with_a_record_error()
    {
        var target = Target();
        var inputs = FuzzBudget.Of(20_000);
        var gen = Gen.Select(Gen.Int[0, Records.Length - 1], Mutation.Gen.List[1, 5])
            .Select((seed, mutations) => (Seed: seed, Mutations: mutations, Bytes: Mutation.Apply(Records[seed], mutations)));
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            gen.Sample(input => target.Check(input.Bytes, Decode, b => $"record {input.Seed} + [{string.Join(", ", input.Mutations)}] = {Describe(b)}"),
                iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} mutated records, {target.Rejected} rejected");
        Assert.InRange(target.Rejected, 1, target.Inputs - 1);
    }

    [Fact]
    public void Valid_records_carrying_mutated_messages_are_decoded_or_rejected()
    {
        var target = Target();
        var inputs = FuzzBudget.Of(15_000);
        var gen = Gen.Select(Gen.Int[0, Messages.Length - 1], Mutation.Gen.List[1, 5])
            .Select((seed, mutations) => Wrap("proto::agent-1", ByteString.CopyFrom(Mutation.Apply(Messages[seed].ToByteArray(), mutations))));
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            gen.Sample(bytes => target.Check(bytes, Decode, Describe), iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} records with mutated messages, {target.Rejected} rejected");
        Assert.InRange(target.Rejected, 1, target.Inputs - 1);
    }

    [Fact]
    public void Deeply_nested_and_oversized_length_prefixes_are_rejected()
    {
        var target = Target();
        // A length-delimited field claiming 2 GiB, and 10,000 nested groups: both must fail fast, not allocate.
        byte[] hugeLength = [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x01];
        var nested = Enumerable.Repeat(new byte[] { 0x3A, 0x80, 0x80, 0x01 }, 10_000).SelectMany(b => b).ToArray();
        foreach (var bytes in new[] { hugeLength, nested }) target.Check(bytes, Decode, Describe);
        Assert.Equal(2, target.Rejected);
    }

    [Fact]
    public void The_seeds_decode()
    {
        foreach (var record in Records) Decode(record);
    }
}
