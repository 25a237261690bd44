using System.Collections.Concurrent;
using Provisioning.Contracts.Southbound;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Agents;

/// <summary>
/// One agent's current MTP connection and the requests waiting for its answers. Kept small: thousands
/// of these live at once; collections are created only when first needed.
/// </summary>
internal sealed class AgentSession(string endpointId, IAgentLink link)
{
    private ConcurrentDictionary<string, TaskCompletionSource<Msg>>? _pending;
    private List<string>? _contactCodes;
    private string? _bootCause;
    private bool _contacting;
    private int _inFlight;
    private volatile bool _closed;

    public string EndpointId { get; } = endpointId;
    public IAgentLink Link { get; } = link;
    public string Mtp => Link.Mtp;
    public bool IsClosed => _closed;
    public AgentAdmission Admission { get; set; }
    /// <summary>Identity read from Device.DeviceInfo. once per connection.</summary>
    public DeviceIdentity? Identity { get; set; }
    /// <summary>Whether this connection already made sure the Boot! subscription exists.</summary>
    public bool BootSubscriptionChecked { get; set; }
    /// <summary>The agent was found without the Boot! subscription (and it was added): it lost its settings. Goes with the next report.</summary>
    public bool BootSubscriptionMissing { get; set; }
    /// <summary>This controller's own Device.LocalAgent.Controller.{i}. on the agent, once read (the agent numbers that table).</summary>
    public string? OwnControllerPath { get; set; }
    /// <summary>What the connection proved itself with (a certificate, the agent's secret, or nothing).</summary>
    public ContactCredential Credential { get; init; }
    /// <summary>The agent's network address as seen at the connection (for the record; never trusted).</summary>
    public string? RemoteAddress { get; init; }

    private ConcurrentDictionary<string, TaskCompletionSource<Msg>> Pending =>
        _pending ?? Interlocked.CompareExchange(ref _pending, new(StringComparer.Ordinal), null) ?? _pending;

    public bool TryBeginRequest(int max)
    {
        if (Interlocked.Increment(ref _inFlight) <= max) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void EndRequest() => Interlocked.Decrement(ref _inFlight);

    public TaskCompletionSource<Msg> Register(string msgId)
    {
        var completion = new TaskCompletionSource<Msg>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Pending.TryAdd(msgId, completion)) throw new InvalidOperationException($"duplicate msg_id {msgId}");
        // Closed between the caller's check and now: fail at once rather than wait for a timeout.
        if (_closed && Pending.TryRemove(msgId, out _)) completion.TrySetException(new Messages.AgentDisconnectedException(EndpointId, "connection closed"));
        return completion;
    }

    public void Forget(string msgId) => _pending?.TryRemove(msgId, out _);

    /// <summary>Completes the request with this msg_id; false for an unknown or already answered one (a duplicate).</summary>
    public bool TryComplete(string msgId, Msg response) =>
        _pending is { } pending && pending.TryRemove(msgId, out var completion) && completion.TrySetResult(response);

    /// <summary>The connection is gone (closed or replaced): every request still waiting fails now.</summary>
    public void Close(string reason)
    {
        _closed = true;
        if (_pending is null) return;
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var completion))
                completion.TrySetException(new Messages.AgentDisconnectedException(EndpointId, reason));
        }
    }

    /// <summary>True once the agent announced itself (connect record, Boot!, OnBoardRequest) on this connection.</summary>
    public bool HasAnnounced { get; private set; }

    /// <summary>Queues a contact event code (a Boot! with its Cause); true when the caller must start the contact loop.</summary>
    public bool AddContactCode(string code, string? bootCause = null)
    {
        lock (this)
        {
            HasAnnounced = true;
            (_contactCodes ??= new List<string>(2)).Add(code);
            if (bootCause is not null) _bootCause = bootCause;
            if (_contacting) return false;
            _contacting = true;
            return true;
        }
    }

    /// <summary>The contact loop failed: forget the codes so the next contact starts afresh.</summary>
    public void AbandonContact()
    {
        lock (this)
        {
            _contactCodes?.Clear();
            _bootCause = null;
            _contacting = false;
        }
    }

    /// <summary>The codes gathered so far and the last Boot! Cause among them (null when none: the contact loop ends).</summary>
    public (string[] Codes, string? BootCause)? TakeContactCodes()
    {
        lock (this)
        {
            if (_contactCodes is not { Count: > 0 })
            {
                _contacting = false;
                return null;
            }
            var codes = _contactCodes.Distinct(StringComparer.Ordinal).ToArray();
            var cause = _bootCause;
            _contactCodes.Clear();
            _bootCause = null;
            return (codes, cause);
        }
    }
}
