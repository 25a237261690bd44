using System.Text;
using BenchmarkDotNet.Attributes;
using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Soap;

namespace Provisioning.Benchmarks.Micro;

/// <summary>The ACS's SOAP hot path: one Inform parsed, one SetParameterValues written, one GetParameterValuesResponse parsed per session.</summary>
[MemoryDiagnoser]
public class CwmpSoapBenchmarks
{
    private const string Ns = "urn:dslforum-org:cwmp-1-2";
    private byte[] _inform = [];
    private byte[] _gpvResponse = [];
    private CwmpEnvelope _setParameterValues = null!;
    private readonly MemoryStream _output = new(8192);

    [GlobalSetup]
    public void Setup()
    {
        _inform = Encoding.UTF8.GetBytes(SoapSamples.Inform);
        _gpvResponse = Encoding.UTF8.GetBytes(SoapSamples.GetParameterValuesResponse(SoapSamples.PlanParameters()));
        _setParameterValues = new CwmpEnvelope(Ns, new CwmpHeader { Id = "wf-0123456789ab-push" },
            new SetParameterValues(SoapSamples.PlanParameters().Select(p => new ParameterValueStruct(p.Name, p.Value, p.Type)).ToList(), "wf-0123456789ab"));
        // Check the samples parse as what they claim to be, so the benchmark measures real work.
        if (CwmpReader.Read(_inform).Body is not Inform) throw new InvalidOperationException("Inform sample did not parse");
        if (CwmpReader.Read(_gpvResponse).Body is not GetParameterValuesResponse { ParameterList.Count: > 0 } gpv || gpv.ParameterList.Count != SoapSamples.PlanParameters().Count)
            throw new InvalidOperationException("GetParameterValuesResponse sample did not parse");
    }

    [Benchmark(Description = "Inform parse (2 events, 10 parameters)")]
    public object InformParse() => CwmpReader.Read(_inform);

    [Benchmark(Description = "SetParameterValues build (21 parameters) into a reused stream")]
    public long SetParameterValuesWrite()
    {
        _output.Position = 0;
        _output.SetLength(0);
        CwmpWriter.Write(_output, _setParameterValues);
        return _output.Length;
    }

    [Benchmark(Description = "SetParameterValues build (21 parameters) ToBytes")]
    public byte[] SetParameterValuesToBytes() => CwmpWriter.ToBytes(_setParameterValues);

    [Benchmark(Description = "GetParameterValuesResponse parse (21 parameters)")]
    public object GetParameterValuesResponseParse() => CwmpReader.Read(_gpvResponse);
}
