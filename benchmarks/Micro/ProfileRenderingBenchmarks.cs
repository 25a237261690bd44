using BenchmarkDotNet.Attributes;
using Provisioning.Contracts.Common;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Benchmarks.Micro;

/// <summary>ProfileRenderer.Render of the storm's plan, once per workflow (fetch_profile) and again at verify.</summary>
[MemoryDiagnoser]
public class ProfileRenderingBenchmarks
{
    private readonly ServicePlanDocument _plan = new()
    {
        Id = "storm-gold",
        Description = "data, dual-band Wi-Fi, one VoIP line, IPTV",
        DataEnabled = true,
        IptvEnabled = true,
        DataVlan = 100,
        VoipVlan = 200,
        IptvVlan = 300,
        PeriodicInformInterval = 3600,
        Wifi = [new("2.4GHz", "Storm-Home", "storm-wifi-key-24", "WPA2-Personal", true), new("5GHz", "Storm-Home-5G", "storm-wifi-key-5g", "WPA2-Personal", true)],
        VoipLines = [new(1, "+3215550100", "storm-sip", "storm-sip-secret", "sip.storm.example")],
    };

    [Benchmark(Description = "ProfileRenderer.Render TR-181 (CWMP)")]
    public RenderedProfile RenderTr181() => ProfileRenderer.Render(_plan, ProfileRenderer.Tr181Root, DeviceProtocol.Cwmp);

    [Benchmark(Description = "ProfileRenderer.Render TR-098 (CWMP)")]
    public RenderedProfile RenderTr098() => ProfileRenderer.Render(_plan, ProfileRenderer.Tr098Root, DeviceProtocol.Cwmp);
}
