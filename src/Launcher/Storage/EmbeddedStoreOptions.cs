using System.ComponentModel.DataAnnotations;

namespace Provisioning.Launcher.Storage;

/// <summary>The private cluster the launcher starts when no connection string is configured (keys in section "Store").</summary>
public sealed class EmbeddedStoreOptions
{
    public const string Section = "Store";

    public string EmbeddedDataDirectory { get; set; } = ".data/postgres";
    [Range(1, 65535)]
    public int EmbeddedPort { get; set; } = 55432;
}
