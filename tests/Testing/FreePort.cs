using Provisioning.Orchestrator.Storage;

namespace Provisioning.Testing;

public static class FreePort
{
    /// <summary>A loopback port that was free a moment ago (for hosts whose address must be known before they start).</summary>
    public static int Next() => EmbeddedPostgres.FreeLoopbackPort();
}
