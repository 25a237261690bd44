namespace Provisioning.Observability.Tests;

public sealed class CollectorPipelineTests
{
    private readonly CollectorConfig _config = CollectorConfig.Load();

    [Fact]
    public void Every_component_a_pipeline_names_is_defined()
    {
        Assert.NotEmpty(_config.Pipelines);
        foreach (var pipeline in _config.Pipelines.Values)
        {
            Assert.NotEmpty(pipeline.Receivers);
            Assert.NotEmpty(pipeline.Exporters);
            Assert.All(pipeline.Receivers, name => Assert.Contains(name, _config.Receivers));
            Assert.All(pipeline.Processors, name => Assert.Contains(name, _config.Processors));
            Assert.All(pipeline.Exporters, name => Assert.Contains(name, _config.Exporters));
        }
        Assert.All(_config.ServiceExtensions, name => Assert.Contains(name, _config.Extensions));
    }

    [Fact]
    public void Every_defined_component_is_used()
    {
        var pipelines = _config.Pipelines.Values.ToList();
        Assert.All(_config.Receivers, name => Assert.Contains(pipelines, p => p.Receivers.Contains(name)));
        Assert.All(_config.Processors, name => Assert.Contains(pipelines, p => p.Processors.Contains(name)));
        Assert.All(_config.Exporters, name => Assert.Contains(pipelines, p => p.Exporters.Contains(name)));
        Assert.All(_config.Extensions, name => Assert.Contains(name, _config.ServiceExtensions));
    }

    [Fact]
    public void Memory_limiter_comes_first_and_batch_last_in_every_pipeline()
    {
        foreach (var pipeline in _config.Pipelines.Values)
        {
            Assert.True(pipeline.Processors.Count >= 2, $"{pipeline.Name} has no memory_limiter/batch");
            Assert.Equal("memory_limiter", pipeline.Processors[0]);
            Assert.Equal("batch", pipeline.Processors[^1]);
        }
    }

    [Fact]
    public void Periodic_inform_filter_is_wired_into_the_traces_pipeline_before_sampling()
    {
        var traces = _config.Pipelines["traces"].Processors.ToList();
        var filter = traces.IndexOf("filter/drop_periodic_informs");
        var sampling = traces.IndexOf("tail_sampling");
        Assert.True(filter > 0, "filter/drop_periodic_informs is not in the traces pipeline");
        Assert.True(sampling > filter, "tail_sampling must come after the filter");
        Assert.Equal(traces.Count - 2, sampling);
    }

    [Fact]
    public void Tail_sampling_keeps_every_error_trace()
    {
        var policies = _config.Processor("tail_sampling").MappingList("policies");
        var statusPolicies = policies.Where(p => p.Scalar("type") == "status_code").ToList();
        Assert.Single(statusPolicies);
        Assert.Contains("ERROR", statusPolicies[0].Mapping("status_code").ScalarList("status_codes"));
        // Without a policy for the rest only errors would survive.
        Assert.Contains(policies, p => p.Scalar("type") is "probabilistic" or "always_sample");
        // An inverted or "and" policy could veto the error policy's decision.
        Assert.DoesNotContain(policies, p => p.Scalar("type") is "and" or "composite" || p.Keys().Any(k => k.Contains("invert")));
    }

    [Fact]
    public void Otlp_receiver_listens_for_grpc_and_http()
    {
        var protocols = _config.Root.Mapping("receivers").Mapping("otlp").Mapping("protocols");
        Assert.Equal("0.0.0.0:4317", protocols.Mapping("grpc").Scalar("endpoint"));
        Assert.Equal("0.0.0.0:4318", protocols.Mapping("http").Scalar("endpoint"));
    }

    [Fact]
    public void Exporters_take_the_backend_from_the_environment_and_serve_prometheus()
    {
        var otlp = _config.Exporter("otlp");
        Assert.Equal("${env:OTLP_EXPORT_ENDPOINT}", otlp.Scalar("endpoint"));
        var tls = otlp.Mapping("tls");
        Assert.StartsWith("${env:OTLP_EXPORT_INSECURE", tls.Scalar("insecure"));
        Assert.StartsWith("${env:OTLP_EXPORT_CA_FILE", tls.Scalar("ca_file"));

        Assert.Equal("0.0.0.0:8889", _config.Exporter("prometheus").Scalar("endpoint"));
        Assert.Contains("prometheus", _config.Pipelines["metrics"].Exporters);
        Assert.DoesNotContain("prometheus", _config.Pipelines["traces"].Exporters);
        Assert.Contains("otlp", _config.Pipelines["traces"].Exporters);
    }

    [Fact]
    public void Health_check_extension_is_enabled()
    {
        Assert.Contains("health_check", _config.ServiceExtensions);
    }
}
