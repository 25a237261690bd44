using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>
/// One inventory entry of the stand-in orchestrator. <see cref="PreviousUsername"/>/<see cref="PreviousPassword"/>: the
/// credential before the current one was pushed (offered while not adopted); <see cref="BootstrapPassword"/>: the device's
/// own bootstrap secret; <see cref="SharedBootstrapAllowed"/>: the orchestrator's policy answer (by default: not provisioned
/// yet and no bootstrap secret of its own).
/// </summary>
public sealed record InventoryEntry(string SerialNumber, string? CwmpUsername = null, string? CwmpPassword = null,
    string ConnectionRequestUsername = "cr-user", string ConnectionRequestPassword = "cr-pass", string ConnectionRequestUrl = "",
    bool Provisioned = false, string? PreviousUsername = null, string? PreviousPassword = null,
    string? BootstrapUsername = null, string? BootstrapPassword = null, bool? SharedBootstrapAllowed = null)
{
    /// <summary>The ACS's bootstrap username, which a bootstrap secret's HA1 is made with when the entry names none.</summary>
    public const string AcsBootstrapUsername = "bootstrap";
}

/// <summary>The kit's stand-in orchestrator with a CWMP inventory: lookups answer with digest (HA1) credentials.</summary>
public sealed class FakeOrchestrator : FakeDeviceContacts
{
    public ConcurrentDictionary<string, InventoryEntry> Inventory { get; } = new(StringComparer.Ordinal);
    public int Lookups;
    /// <summary>
    /// When set, WatchDeviceChanges is offered: it says it hears every change, then passes on what is written here.
    /// Unset, the call is not implemented (an orchestrator without it), and the ACS keeps lookups briefly only.
    /// </summary>
    public System.Threading.Channels.Channel<DeviceChanges>? Changes { get; set; }

    public override async Task WatchDeviceChanges(WatchDeviceChangesRequest request, IServerStreamWriter<DeviceChanges> responseStream, ServerCallContext context)
    {
        if (Changes is not { } changes) throw new RpcException(new Status(StatusCode.Unimplemented, "not offered"));
        await responseStream.WriteAsync(new DeviceChanges { Complete = true });
        await foreach (var change in changes.Reader.ReadAllAsync(context.CancellationToken)) await responseStream.WriteAsync(change);
    }

    public static Task<FakeOrchestrator> StartAsync() => StartAsync(new FakeOrchestrator());

    public override Task<LookupDeviceResponse> LookupDevice(LookupDeviceRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref Lookups);
        var entry = !string.IsNullOrEmpty(request.Username)
            ? Inventory.Values.FirstOrDefault(e => e.CwmpUsername == request.Username)
            : Inventory.GetValueOrDefault(request.Device?.SerialNumber ?? "");
        // As the contract says: the shared bootstrap credential is always allowed for a device the inventory does not know.
        if (entry is null) return Task.FromResult(new LookupDeviceResponse { SharedBootstrapAllowed = string.IsNullOrEmpty(request.Username) });
        return Task.FromResult(new LookupDeviceResponse
        {
            Registered = true,
            Device = new DeviceRef { SerialNumber = entry.SerialNumber, Protocol = DeviceProtocol.Cwmp },
            CwmpUsername = entry.CwmpUsername ?? "",
            CwmpPasswordHa1 = entry.CwmpUsername is null ? "" : Md5($"{entry.CwmpUsername}:{request.Realm}:{entry.CwmpPassword}"),
            ConnectionRequestUsername = entry.ConnectionRequestUsername,
            ConnectionRequestPassword = entry.ConnectionRequestPassword,
            ConnectionRequestUrl = entry.ConnectionRequestUrl,
            Provisioned = entry.Provisioned,
            PreviousCwmpUsername = entry.PreviousUsername ?? "",
            PreviousCwmpPasswordHa1 = entry.PreviousUsername is null ? "" : Md5($"{entry.PreviousUsername}:{request.Realm}:{entry.PreviousPassword}"),
            BootstrapUsername = entry.BootstrapUsername ?? "",
            BootstrapPasswordHa1 = entry.BootstrapPassword is null ? ""
                : Md5($"{entry.BootstrapUsername ?? InventoryEntry.AcsBootstrapUsername}:{request.Realm}:{entry.BootstrapPassword}"),
            SharedBootstrapAllowed = entry.SharedBootstrapAllowed ?? (!entry.Provisioned && entry.BootstrapPassword is null),
            // As the orchestrator says: no previous credential offered (no adoption window that ends by itself).
            Steady = entry.PreviousUsername is null,
        });
    }

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
