using System.Collections.Concurrent;
using System.Text.Json;
using Provisioning.Southbound.Usp.Agents;

namespace Provisioning.Southbound.Usp.Messages.Notify;

/// <summary>What a Boot! event said (TR-181 Device.Boot!: CommandKey, Cause, FirmwareUpdated, ParameterMap).</summary>
internal sealed record AgentBoot(AgentSession Session, string CommandKey, string Cause, bool FirmwareUpdated, IReadOnlyDictionary<string, string> ParameterMap)
{
    public static AgentBoot From(AgentSession session, IReadOnlyDictionary<string, string> args) => new(
        session,
        args.GetValueOrDefault("CommandKey") ?? "",
        args.GetValueOrDefault("Cause") ?? "",
        args.GetValueOrDefault("FirmwareUpdated") is "true" or "1",
        ParseParameterMap(args.GetValueOrDefault("ParameterMap")));

    /// <summary>ParameterMap is a JSON object of parameter paths to values; anything else (absent, "{}", not JSON) is an empty map.</summary>
    private static Dictionary<string, string> ParseParameterMap(string? json)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json)) return map;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return map;
            foreach (var property in document.RootElement.EnumerateObject())
                map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }
        catch (JsonException)
        {
            // An agent's malformed map only costs the controller a Get.
        }
        return map;
    }
}

/// <summary>
/// Commands waiting for the Boot! of the reboot they cause (a firmware Activate()), by endpoint ID. An entry lives only
/// while its caller waits; a Boot! nobody waits for (every ordinary reboot, or one after the caller gave up) finds none.
/// </summary>
internal sealed class AwaitedBoots
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<AgentBoot>> _waiting = new(StringComparer.Ordinal);

    public int Count => _waiting.Count;

    public TaskCompletionSource<AgentBoot> Expect(string endpointId) =>
        _waiting.GetOrAdd(endpointId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Removes the caller's own entry only (a later caller's stays).</summary>
    public void Forget(string endpointId, TaskCompletionSource<AgentBoot> waiter) =>
        _waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource<AgentBoot>>(endpointId, waiter));

    /// <summary>False when nobody waits for this agent's boot.</summary>
    public bool Announce(AgentSession session, IReadOnlyDictionary<string, string> args) =>
        _waiting.TryRemove(session.EndpointId, out var waiter) && waiter.TrySetResult(AgentBoot.From(session, args));
}
