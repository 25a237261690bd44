using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Provisioning.Usp.Messages;
using Provisioning.Usp.Records;

namespace Provisioning.Benchmarks.Micro;

/// <summary>
/// The controller's USP hot path, exactly as RecordCodec does it (internal in Southbound.Usp, so replicated here over
/// the same protos and Google.Protobuf): a Set request wrapped in a NoSessionContext Record and encoded; a GetResp
/// Record decoded and its Msg parsed.
/// </summary>
[MemoryDiagnoser]
public class UspRecordBenchmarks
{
    private const string Controller = "self::provisioning-controller";
    private const string Agent = "os::00D09E-STU000001";
    private Msg _set = null!;
    private byte[] _getRespRecord = [];

    [GlobalSetup]
    public void Setup()
    {
        var set = new Set { AllowPartial = false };
        foreach (var group in SoapSamples.PlanParameters().GroupBy(p => p.Name[..(p.Name.LastIndexOf('.') + 1)]))
        {
            var update = new Set.Types.UpdateObject { ObjPath = group.Key };
            foreach (var (name, value, _) in group)
                update.ParamSettings.Add(new Set.Types.UpdateParamSetting { Param = name[(name.LastIndexOf('.') + 1)..], Value = value, Required = true });
            set.UpdateObjs.Add(update);
        }
        _set = new Msg
        {
            Header = new Header { MsgId = "wf-0123456789ab-push-1", MsgType = Header.Types.MsgType.Set },
            Body = new Body { Request = new Request { Set = set } },
        };

        var getResp = new GetResp();
        foreach (var (name, value, _) in SoapSamples.PlanParameters())
        {
            var resolved = new GetResp.Types.ResolvedPathResult { ResolvedPath = name[..(name.LastIndexOf('.') + 1)] };
            resolved.ResultParams.Add(name[(name.LastIndexOf('.') + 1)..], name.EndsWith("KeyPassphrase", StringComparison.Ordinal) || name.EndsWith("AuthPassword", StringComparison.Ordinal) ? "" : value);
            var requested = new GetResp.Types.RequestedPathResult { RequestedPath = name };
            requested.ResolvedPathResults.Add(resolved);
            getResp.ReqPathResults.Add(requested);
        }
        var resp = new Msg
        {
            Header = new Header { MsgId = "wf-0123456789ab-verify-1", MsgType = Header.Types.MsgType.GetResp },
            Body = new Body { Response = new Response { GetResp = getResp } },
        };
        _getRespRecord = Encode(Agent, Controller, resp);
        if (Decode(_getRespRecord).Body.Response.GetResp.ReqPathResults.Count != SoapSamples.PlanParameters().Count) throw new InvalidOperationException("GetResp sample did not round-trip");
    }

    /// <summary>RecordCodec.EncodeMsg.</summary>
    private static byte[] Encode(string fromId, string toId, Msg msg) => new Record
    {
        Version = "1.3",
        FromId = fromId,
        ToId = toId,
        NoSessionContext = new NoSessionContextRecord { Payload = msg.ToByteString() },
    }.ToByteArray();

    /// <summary>RecordCodec.ParseRecord + ParseMsg.</summary>
    private static Msg Decode(ReadOnlySpan<byte> bytes)
    {
        var record = Record.Parser.ParseFrom(bytes);
        return Msg.Parser.ParseFrom(record.NoSessionContext.Payload);
    }

    [Benchmark(Description = "USP Set (21 parameters) Msg+Record encode")]
    public byte[] EncodeSet() => Encode(Controller, Agent, _set);

    [Benchmark(Description = "USP GetResp (21 parameters) Record+Msg decode")]
    public object DecodeGetResp() => Decode(_getRespRecord);
}
