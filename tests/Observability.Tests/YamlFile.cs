using YamlDotNet.RepresentationModel;

namespace Provisioning.Observability.Tests;

/// <summary>Reads one of the observability files copied next to the test assembly.</summary>
internal static class YamlFile
{
    public static YamlMappingNode Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "config", fileName);
        using var reader = File.OpenText(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    public static YamlMappingNode Mapping(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode mapping
            ? mapping
            : throw new KeyNotFoundException($"'{key}' is missing or not a mapping");

    public static YamlMappingNode? OptionalMapping(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    public static string? Scalar(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? (child as YamlScalarNode)?.Value : null;

    public static IReadOnlyList<string> ScalarList(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.Select(item => ((YamlScalarNode)item).Value ?? "").ToList()
            : [];

    public static IReadOnlyList<YamlMappingNode> MappingList(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.Cast<YamlMappingNode>().ToList()
            : [];

    public static IEnumerable<string> Keys(this YamlMappingNode node) =>
        node.Children.Keys.Select(key => ((YamlScalarNode)key).Value ?? "");
}
