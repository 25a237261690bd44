using YamlDotNet.RepresentationModel;

namespace Provisioning.Observability.Tests;

/// <summary>The parts of an OpenTelemetry Collector configuration the structural tests look at.</summary>
internal sealed record CollectorConfig(
    IReadOnlySet<string> Receivers,
    IReadOnlySet<string> Processors,
    IReadOnlySet<string> Exporters,
    IReadOnlySet<string> Extensions,
    IReadOnlyList<string> ServiceExtensions,
    IReadOnlyDictionary<string, CollectorPipeline> Pipelines,
    YamlMappingNode Root)
{
    public const string FileName = "otel-collector-cpe.yaml";

    public static CollectorConfig Load()
    {
        var root = YamlFile.Load(FileName);
        var service = root.Mapping("service");
        var pipelines = service.Mapping("pipelines").Children.ToDictionary(
            entry => ((YamlScalarNode)entry.Key).Value!,
            entry =>
            {
                var pipeline = (YamlMappingNode)entry.Value;
                return new CollectorPipeline(
                    ((YamlScalarNode)entry.Key).Value!,
                    pipeline.ScalarList("receivers"),
                    pipeline.ScalarList("processors"),
                    pipeline.ScalarList("exporters"));
            });
        return new CollectorConfig(
            Names(root, "receivers"),
            Names(root, "processors"),
            Names(root, "exporters"),
            Names(root, "extensions"),
            service.ScalarList("extensions"),
            pipelines,
            root);
    }

    public YamlMappingNode Processor(string name) => Root.Mapping("processors").Mapping(name);

    public YamlMappingNode Exporter(string name) => Root.Mapping("exporters").Mapping(name);

    private static HashSet<string> Names(YamlMappingNode root, string section) =>
        root.OptionalMapping(section)?.Keys().ToHashSet() ?? [];
}

internal sealed record CollectorPipeline(
    string Name,
    IReadOnlyList<string> Receivers,
    IReadOnlyList<string> Processors,
    IReadOnlyList<string> Exporters)
{
    /// <summary>"traces/errors" is a traces pipeline.</summary>
    public string Signal => Name.Split('/')[0];
}
