using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

/// <summary>
/// A real gRPC DeviceContacts server standing in for the orchestrator in adapter-level tests: records every
/// contact report and answers lookups from an in-memory inventory.
/// </summary>
public sealed class FakeOrchestrator : DeviceContacts.DeviceContactsBase, IAsyncDisposable
{
    private WebApplication? app;

    public ConcurrentQueue<DeviceContactReport> Reports { get; } = new();
    /// <summary>Every ReportRefusedContact call, in order.</summary>
    public ConcurrentQueue<RefusedContactReport> Refusals { get; } = new();
    /// <summary>The W3C traceparent each contact report arrived with, by serial number.</summary>
    public ConcurrentDictionary<string, string> ReportTraceParents { get; } = new();
    public ConcurrentDictionary<string, InventoryEntry> Inventory { get; } = new(StringComparer.Ordinal);
    public Func<DeviceContactReport, DeviceContactDecision> Decide { get; set; } = _ => new DeviceContactDecision();
    public int Lookups;
    public string Url { get; private set; } = "";

    public static async Task<FakeOrchestrator> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync();
            }
            catch (IOException) when (attempt < 5)
            {
            }
        }
    }

    private static async Task<FakeOrchestrator> TryStartAsync()
    {
        var fake = new FakeOrchestrator();
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(fake);
        fake.app = builder.Build();
        fake.app.MapGrpcService<FakeOrchestrator>();
        await fake.app.StartAsync();
        fake.Url = $"http://localhost:{port}";
        return fake;
    }

    public override Task<DeviceContactDecision> ReportDeviceContact(DeviceContactReport request, ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue("traceparent") is { } traceParent) ReportTraceParents[request.Identity.Device.SerialNumber] = traceParent;
        Reports.Enqueue(request);
        return Task.FromResult(Decide(request));
    }

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
        });
    }

    /// <summary>How long ReportRefusedContact takes to answer (a slow orchestrator must not slow the CPE's 401).</summary>
    public TimeSpan RefusalDelay { get; set; }

    public override async Task<RefusedContactAck> ReportRefusedContact(RefusedContactReport request, ServerCallContext context)
    {
        if (RefusalDelay > TimeSpan.Zero) await Task.Delay(RefusalDelay, context.CancellationToken);
        Refusals.Enqueue(request);
        return new RefusedContactAck { Recorded = true };
    }

    public Task<RefusedContactReport> WaitForRefusalAsync(Func<RefusedContactReport, bool> match, TimeSpan? timeout = null) =>
        Eventually.FoundAsync(() => Refusals.FirstOrDefault(match),
            () => $"no matching refused contact; got [{string.Join(", ", Refusals.Select(r => $"{r.Device?.SerialNumber}/{r.Username}/{r.Reason}"))}]", timeout);

    public Task<DeviceContactReport> WaitForReportAsync(Func<DeviceContactReport, bool> match, TimeSpan? timeout = null) =>
        Eventually.FoundAsync(() => Reports.FirstOrDefault(match), () => "no matching contact report", timeout);

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
