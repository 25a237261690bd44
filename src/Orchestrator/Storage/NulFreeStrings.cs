using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provisioning.Orchestrator.Storage;

/// <summary>
/// PostgreSQL's jsonb cannot hold U+0000: one NUL in any string of an event or document makes the whole append
/// fail, and a workflow whose event cannot be stored never ends. Device text is cleaned where it enters; this is
/// the net under everything else that is written.
/// </summary>
public sealed class NulFreeStrings : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Contains('\0', StringComparison.Ordinal) ? value.Replace("\0", "", StringComparison.Ordinal) : value);
}
