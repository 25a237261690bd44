using Microsoft.Extensions.Options;

namespace Provisioning.Orchestrator.Southbound;

/// <summary>
/// The adapter instances this orchestrator knows: the configured CWMP and USP addresses and
/// "Orchestrator:Adapters:Instances". A contact report's adapter_address is believed only when it is one of them,
/// so a caller holding the internal key cannot send a device's calls (and the internal key) to a server of its own.
/// </summary>
public sealed class AdapterRegistry
{
    private readonly HashSet<string> _registered;

    public AdapterRegistry(IOptions<AdapterOptions> options)
    {
        var adapters = options.Value;
        _registered = new HashSet<string>(
            new[] { adapters.Cwmp, adapters.Usp }.Concat(adapters.Instances).Where(a => !string.IsNullOrWhiteSpace(a)).Select(Normalize),
            StringComparer.Ordinal);
    }

    public bool IsRegistered(string? address) => !string.IsNullOrWhiteSpace(address) && _registered.Contains(Normalize(address));

    /// <summary>Scheme, host and port, lower case, without a trailing slash: "http://127.0.0.1:50061/" is "http://127.0.0.1:50061".</summary>
    public static string Normalize(string address)
    {
        var trimmed = address.Trim();
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{uri.Host}:{uri.Port}{uri.AbsolutePath.TrimEnd('/')}".ToLowerInvariant()
            : trimmed.TrimEnd('/').ToLowerInvariant();
    }
}
