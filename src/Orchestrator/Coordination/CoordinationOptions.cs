using System.ComponentModel.DataAnnotations;

namespace Provisioning.Orchestrator.Coordination;

/// <summary>How orchestrator instances share work through PostgreSQL (configuration section "Coordination").</summary>
public sealed class CoordinationOptions
{
    public const string Section = "Coordination";

    /// <summary>Unique per running instance; defaults to host name, process id and a random suffix.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..4]}";
    /// <summary>How long a workflow stays with an instance that stopped renewing: the bound on takeover time.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How often an instance looks for running workflows nobody holds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(5);
}
