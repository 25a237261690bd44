using System.Text;
using CsCheck;
using Provisioning.Southbound.Cwmp.Soap;
using Xunit.Abstractions;

namespace Provisioning.Fuzzing;

/// <summary>
/// The ACS's SOAP parser under hostile envelopes: mutated valid envelopes (truncation, byte flips, inserted markup,
/// deep nesting), random bytes and hand-crafted attacks (entity expansion, external entities, huge attributes, odd
/// encodings). Only <see cref="CwmpProtocolException"/> may escape; no input hangs or allocates without bound.
/// </summary>
public sealed class SoapParserFuzzTests(ITestOutputHelper output)
{
    private static HostileInput Target() => new("SOAP parser", e => e is CwmpProtocolException,
        allocationBound: 64L * 1024 * 1024, perInputLimit: TimeSpan.FromSeconds(3));

    private static void Parse(byte[] bytes) => CwmpReader.Read(bytes);

    private static string Describe(byte[] bytes) =>
        $"{bytes.Length} bytes: {Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 300))}";

    [Fact]
    public void Mutated_envelopes_are_parsed_or_rejected_with_a_protocol_fault()
    {
        var target = Target();
        var inputs = FuzzBudget.Of(30_000);
        var gen = Gen.Select(Gen.Int[0, SoapEnvelopes.Seeds.Count - 1], Mutation.Gen.List[1, 6])
            .Select((seed, mutations) => (Seed: seed, Mutations: mutations, Bytes: Mutation.Apply(SoapEnvelopes.Seeds[seed], mutations)));

        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            gen.Sample(input => target.Check(input.Bytes, Parse, _ => $"seed {input.Seed} + [{string.Join(", ", input.Mutations)}] = {Describe(input.Bytes)}"),
                iter: inputs, threads: 2));

        output.WriteLine($"{target.Inputs} mutated envelopes, {target.Rejected} rejected with a protocol fault");
        Assert.True(target.Inputs >= inputs);
        Assert.InRange(target.Rejected, 1, target.Inputs - 1); // both outcomes happen, so the mutations reach the parser's logic
    }

    [Fact]
    public void Random_bytes_are_rejected_with_a_protocol_fault()
    {
        var target = Target();
        var inputs = FuzzBudget.Of(8_000);
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            Gen.Byte.Array[0, 2048].Sample(bytes => target.Check(bytes, Parse, Describe), iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} random inputs");
        Assert.Equal(target.Inputs, target.Rejected);
    }

    [Fact]
    public void Random_markup_made_of_envelope_tokens_is_parsed_or_rejected()
    {
        var target = Target();
        var inputs = FuzzBudget.Of(6_000);
        var tokens = Gen.OneOf("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\">",
            "</soap:Envelope>", "<soap:Body>", "</soap:Body>", "<soap:Header>", "</soap:Header>", "<cwmp:ID>1</cwmp:ID>", "<cwmp:Inform>",
            "</cwmp:Inform>", "<DeviceId>", "</DeviceId>", "<ParameterList>", "</ParameterList>", "<ParameterValueStruct>", "</ParameterValueStruct>",
            "<Name>a.b</Name>", "<Value>1</Value>", "<Event><EventStruct><EventCode>1 BOOT</EventCode></EventStruct></Event>",
            "<cwmp:GetParameterValuesResponse>", "</cwmp:GetParameterValuesResponse>", "<soap:Fault>", "</soap:Fault>", "<FaultCode>9002</FaultCode>",
            "<Status>1</Status>", "<MaxEnvelopes>1</MaxEnvelopes>", "&amp;", "text");
        HostileInput.Campaign(FuzzBudget.RunLimit(inputs), () =>
            tokens.Array[0, 40].Select(t => Encoding.UTF8.GetBytes(string.Concat(t)))
                .Sample(bytes => target.Check(bytes, Parse, Describe), iter: inputs, threads: 2));
        output.WriteLine($"{target.Inputs} token soups, {target.Rejected} rejected");
    }

    public static TheoryData<string> CraftedNames => new(SoapEnvelopes.Crafted().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CraftedNames))]
    public void Crafted_attacks_are_rejected_or_read_safely(string name)
    {
        var bytes = SoapEnvelopes.Crafted().Single(c => c.Name == name).Bytes;
        var target = Target();
        HostileInput.Campaign(TimeSpan.FromSeconds(30), () => target.Check(bytes, Parse, _ => name));
        if (name is "billion laughs" or "external entity" or "deep nesting" or "huge attribute" or "empty")
            Assert.Equal(1, target.Rejected);
    }

    [Fact]
    public void The_seeds_are_valid_envelopes()
    {
        // Otherwise the mutations would start from garbage and test less than they claim.
        foreach (var seed in SoapEnvelopes.Seeds) CwmpReader.Read(seed);
    }
}
