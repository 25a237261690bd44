using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Provisioning.Contracts.Northbound;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Provisioning.Cli.Imports;

/// <summary>
/// Reads a list of service plans from YAML or JSON (a top-level list, or a mapping with a "plans" list),
/// field names as in the API (data_enabled or dataEnabled), and validates every plan before anything
/// is sent. Each plan is converted to protobuf JSON and parsed by Google.Protobuf, so the file format
/// follows the contract without a second model to keep in step.
/// </summary>
/// <summary>A valid plan and the line its entry starts on (to name it if the server refuses it).</summary>
public sealed record ParsedPlan(ServicePlan Plan, int Line);

public sealed record ParsedModelProfile(ModelProfile Profile, int Line);

/// <summary>What a plan file holds: plans, and the model profiles that say where their values go on some models.</summary>
public sealed record PlanFile(IReadOnlyList<ParsedPlan> Plans, IReadOnlyList<ParsedModelProfile> ModelProfiles);

public static class ServicePlanFile
{
    private const string PlansKey = "plans";
    /// <summary>Model profiles travel with the plans, in a mapping's "model_profiles" list.</summary>
    private const string ModelProfilesKey = "model_profiles";
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public static PlanFile Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}");
        }
        var isJson = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var (plans, problems) = Parse(text, isJson);
        var (profiles, profileProblems) = problems.Count == 0 ? ParseModelProfiles(text, isJson) : ([], []);
        if (problems.Count > 0 || profileProblems.Count > 0) throw new ImportRejectedException(path, [.. problems, .. profileProblems]);
        if (plans.Count == 0 && profiles.Count == 0) throw new ImportRejectedException(path, [new ImportProblem(1, "no plans in the file")]);
        return new PlanFile(plans, profiles);
    }

    /// <summary>The file's model profiles (a mapping's "model_profiles" list), each checked like the API checks it.</summary>
    public static (IReadOnlyList<ParsedModelProfile> Profiles, IReadOnlyList<ImportProblem> Problems) ParseModelProfiles(string text, bool isJson)
    {
        var (profiles, problems) = ParseList<ModelProfile>(text, isJson, ModelProfilesKey, "model profile", p => p.Name, ModelProfileRules.Check);
        return (profiles.Select(p => new ParsedModelProfile(p.Item, p.Line)).ToList(), problems);
    }

    public static (IReadOnlyList<ParsedPlan> Plans, IReadOnlyList<ImportProblem> Problems) Parse(string text, bool isJson)
    {
        var (plans, problems) = ParseList<ServicePlan>(text, isJson, PlansKey, "plan", p => p.Name, ServicePlanRules.Check);
        return (plans.Select(p => new ParsedPlan(p.Item, p.Line)).ToList(), problems);
    }

    /// <summary>
    /// The entries of one list of the file, each parsed as <typeparamref name="T"/> by Google.Protobuf from its JSON and
    /// checked by <paramref name="rules"/>; a problem names the line its entry starts on.
    /// </summary>
    private static (List<(T Item, int Line)> Items, List<ImportProblem> Problems) ParseList<T>(string text, bool isJson, string list, string what,
        Func<T, string> nameOf, Func<T, IEnumerable<string>> rules) where T : IMessage<T>, new()
    {
        var problems = new List<ImportProblem>();
        List<(int Line, string Json)> entries;
        try
        {
            entries = isJson ? JsonEntries(text, list) : YamlEntries(text, list);
        }
        catch (YamlException e)
        {
            return ([], [new ImportProblem((int)e.Start.Line, $"not valid YAML: {e.Message}")]);
        }
        catch (JsonException e)
        {
            return ([], [new ImportProblem((int)(e.LineNumber ?? 0) + 1, $"not valid JSON: {e.Message}")]);
        }
        catch (FormatException e)
        {
            return ([], [new ImportProblem(1, e.Message)]);
        }

        var items = new List<(T, int)>();
        var firstLineOfName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, json) in entries)
        {
            T item;
            try
            {
                item = Parser.Parse<T>(json);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
            {
                problems.Add(new ImportProblem(line, $"not a {what}: {e.Message}"));
                continue;
            }
            var found = rules(item).ToList();
            var name = nameOf(item);
            if (name.Length > 0)
            {
                if (firstLineOfName.TryGetValue(name, out var first)) found.Add($"{what} '{name}' is already defined on line {first}");
                else firstLineOfName[name] = line;
            }
            if (found.Count > 0) problems.Add(new ImportProblem(line, (name.Length > 0 ? $"{what} '{name}': " : "") + string.Join("; ", found)));
            else items.Add((item, line));
        }
        return (items, problems);
    }

    private static List<(int, string)> YamlEntries(string text, string list = PlansKey)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 0) return [];
        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode mapping)
        {
            if (mapping.Children.TryGetValue(new YamlScalarNode(list), out var listNode)) root = listNode;
            else if (list != PlansKey || mapping.Children.ContainsKey(new YamlScalarNode(ModelProfilesKey))) return [];
        }
        else if (list != PlansKey) return []; // a bare list holds plans only
        if (root is not YamlSequenceNode sequence) throw new FormatException($"expected a list of plans (or '{list}:' with a list)");
        return sequence.Children.Select(node => ((int)node.Start.Line, YamlToJson(node))).ToList();
    }

    private static string YamlToJson(YamlNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) Write(writer, node);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);

        static void Write(Utf8JsonWriter writer, YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    writer.WriteStartObject();
                    foreach (var (key, value) in mapping.Children)
                    {
                        writer.WritePropertyName(((YamlScalarNode)key).Value ?? "");
                        Write(writer, value);
                    }
                    writer.WriteEndObject();
                    break;
                case YamlSequenceNode sequence:
                    writer.WriteStartArray();
                    foreach (var item in sequence.Children) Write(writer, item);
                    writer.WriteEndArray();
                    break;
                case YamlScalarNode scalar when scalar.Style == ScalarStyle.Plain:
                    // Unquoted true/false are booleans and ~/null/empty is null; everything else goes as a
                    // string, which protobuf JSON also accepts for numeric fields (so "300" and 300 both work).
                    var text = scalar.Value ?? "";
                    if (text is "true" or "True" or "TRUE") writer.WriteBooleanValue(true);
                    else if (text is "false" or "False" or "FALSE") writer.WriteBooleanValue(false);
                    else if (text is "" or "~" or "null" or "Null" or "NULL") writer.WriteNullValue();
                    else writer.WriteStringValue(text);
                    break;
                case YamlScalarNode scalar:
                    writer.WriteStringValue(scalar.Value ?? "");
                    break;
                default:
                    throw new FormatException($"line {node.Start.Line}: aliases and tags are not supported");
            }
        }
    }

    private static List<(int, string)> JsonEntries(string text, string list = PlansKey)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var wrapped = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array;
        if (!wrapped)
        {
            // Model profiles come only in a mapping's list; a mapping of model profiles alone holds no plans.
            if (list != PlansKey || (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(ModelProfilesKey, out _))) return [];
            if (root.ValueKind != JsonValueKind.Array) throw new FormatException("expected a list of plans (or {\"plans\": [...]})");
        }

        // Walk the tokens to find where each plan starts: JsonDocument keeps no line numbers.
        var entries = new List<(int, string)>();
        var listDepth = wrapped ? 1 : 0;
        var inList = !wrapped;
        while (reader.Read())
        {
            if (wrapped && !inList && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(list))
            {
                reader.Read();
                inList = true;
                continue;
            }
            if (inList && reader.CurrentDepth == listDepth + 1 && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
            {
                var line = 1 + bytes.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n');
                using var element = JsonDocument.ParseValue(ref reader);
                entries.Add((line, element.RootElement.GetRawText()));
            }
            else if (inList && reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == listDepth)
            {
                break;
            }
        }
        return entries;
    }
}
