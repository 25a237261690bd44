using System.Text;
using CsCheck;

namespace Provisioning.Fuzzing;

/// <summary>One edit of a byte sequence: how a valid message is turned into a hostile one.</summary>
public readonly record struct Mutation(MutationKind Kind, int Position, int Length, byte Value, string Fragment)
{
    private static readonly string[] Fragments =
    [
        "<!DOCTYPE x [<!ENTITY e \"ee\">]>", "&e;", "&amp;", "&#0;", "&#x10FFFF;", "&#xD800;", "<![CDATA[", "]]>", "<a>", "</a>", "<a/>",
        "\"", "'", "xmlns:cwmp=\"urn:x\"", "xsi:type=\"xsd:int\"", "<?xml version=\"1.0\"?>", "<?pi x?>", "<!--", "-->", "\0", "\uFFFE",
        "\uD800", "<soap:Envelope>", "</soap:Body>", "<cwmp:Inform>", "<Value>", "</Value>", "99999999999999999999", "-1", "NaN",
        "soapenc:arrayType=\"cwmp:ParameterValueStruct[999999999]\"", "<Name></Name>", "\r\n", "\t", "<", ">", "/", "=",
    ];

    public static Gen<Mutation> Gen { get; } = CsCheck.Gen.Select(
        CsCheck.Gen.Enum<MutationKind>(), CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[0, 64], CsCheck.Gen.Byte,
        CsCheck.Gen.OneOf(Fragments),
        (kind, position, length, value, fragment) => new Mutation(kind, position, length, value, fragment));

    public static byte[] Apply(byte[] original, IReadOnlyList<Mutation> mutations)
    {
        var bytes = new List<byte>(original);
        foreach (var m in mutations) m.ApplyTo(bytes);
        return bytes.ToArray();
    }

    private void ApplyTo(List<byte> bytes)
    {
        var at = bytes.Count == 0 ? 0 : Position % (bytes.Count + 1);
        var span = Math.Min(Length, bytes.Count - at);
        switch (Kind)
        {
            case MutationKind.Truncate:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case MutationKind.FlipBits when at < bytes.Count:
                bytes[at] ^= (byte)(Value == 0 ? 0x80 : Value);
                break;
            case MutationKind.SetByte when at < bytes.Count:
                bytes[at] = Value;
                break;
            case MutationKind.Delete:
                bytes.RemoveRange(at, span);
                break;
            case MutationKind.Duplicate:
                bytes.InsertRange(at, bytes.GetRange(at, span));
                break;
            case MutationKind.InsertFragment:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(Fragment));
                break;
            case MutationKind.InsertRandom:
                var value = Value;
                bytes.InsertRange(at, Enumerable.Range(0, Length).Select(i => (byte)(value * 31 + i * 17)));
                break;
            case MutationKind.Nest:
                // Deep nesting: up to ~4,000 levels of one repeated open tag.
                var tag = Fragment is "<a>" or "<Value>" ? Fragment : "<a>";
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(tag, Length * 64 + 1))));
                break;
        }
    }

    public override string ToString() => $"{Kind}@{Position}/{Length}/{Value}/{Fragment}";
}

public enum MutationKind { Truncate, FlipBits, SetByte, Delete, Duplicate, InsertFragment, InsertRandom, Nest }
